// The root page of the example servers: the URLs they print, as links a browser can follow (GETs)
// and curl lines to copy (the rest). CommonJS, so the CommonJS example can require() it and the
// ES module examples can import it.
const escape = (text) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** An HTML page listing `curlLines` under the title `name`. */
exports.tryPage = function tryPage(name, curlLines) {
  const items = curlLines.map((line) => {
    const url = /(https?:\/\/[^\s']+)/.exec(line)?.[1]
    const isPlainGet = url !== undefined && !/ -(X|d|F) /.test(line)
    return isPlainGet ? `<li><a href="${escape(url)}">${escape(url)}</a></li>` : `<li><code>${escape(line)}</code></li>`
  })
  return [
    '<!doctype html>',
    '<meta charset="utf-8">',
    `<title>${escape(name)}</title>`,
    `<h1>${escape(name)}</h1>`,
    '<p>Route handlers from <code>app/**/route.ts</code>, mounted beside the app\'s own routes. Try:</p>',
    `<ul>\n${items.join('\n')}\n</ul>`,
    '',
  ].join('\n')
}
