// What an example server does when it cannot listen: one line saying why, exit code 1 (a busy port
// used to crash with "Cannot read properties of null (reading 'port')"). Other errors (a broken
// route file failing ready()) are thrown on as they are.
// `command` is the npm script that starts the example, for the hint.
exports.exitOnListenError = function exitOnListenError(error, port, command) {
  if (error.syscall !== 'listen') throw error
  const reason =
    error.code === 'EADDRINUSE' ? `port ${port} is in use; stop what runs there, or set PORT to another port (PORT=3010 ${command})` : error.message
  console.error(`Cannot listen on 127.0.0.1:${port}: ${reason}`)
  process.exit(1)
}
