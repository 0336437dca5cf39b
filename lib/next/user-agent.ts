import UAParser from 'ua-parser-js'

/** What `userAgent()` returns, as in Next.js. */
export interface UserAgent {
  isBot: boolean
  ua: string
  browser: { name?: string; version?: string; major?: string }
  device: { model?: string; type?: string; vendor?: string }
  engine: { name?: string; version?: string }
  os: { name?: string; version?: string }
  cpu: { architecture?: string }
}

// Next.js's list, verbatim.
const BOTS =
  /Googlebot|Mediapartners-Google|AdsBot-Google|googleweblight|Storebot-Google|Google-PageRenderer|Google-InspectionTool|Bingbot|BingPreview|Slurp|DuckDuckBot|baiduspider|yandex|sogou|LinkedInBot|bitlybot|tumblr|vkShare|quora link preview|facebookexternalhit|facebookcatalog|Twitterbot|applebot|redditbot|Slackbot|Discordbot|WhatsApp|SkypeUriPreview|ia_archiver/i

/**
 * Parses the request's `User-Agent` (ua-parser-js, as Next.js does).
 *
 * @example
 * const { device } = userAgent(request)
 * const viewport = device.type === 'mobile' ? 'mobile' : 'desktop'
 */
export function userAgent({ headers }: { headers: Headers }): UserAgent {
  return userAgentFromString(headers.get('user-agent') ?? undefined)
}

export function userAgentFromString(input: string | undefined): UserAgent {
  // An empty string, not undefined: on runtimes with `navigator`, ua-parser-js would read the server's own.
  const parsed = new UAParser(input ?? '').getResult()
  return {
    isBot: input === undefined ? false : BOTS.test(input),
    ua: parsed.ua,
    browser: parsed.browser,
    device: parsed.device,
    engine: parsed.engine,
    os: parsed.os,
    cpu: parsed.cpu,
  }
}
