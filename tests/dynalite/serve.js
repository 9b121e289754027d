// Starts dynalite (an in-memory DynamoDB) on 127.0.0.1 at a port the kernel picks, with tables active at
// once, and prints "dynalite listening on PORT" when it accepts requests. Ends on SIGTERM.
const dynalite = require('dynalite');

const server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0});
server.listen(0, '127.0.0.1', () => {
  console.log(`dynalite listening on ${server.address().port}`);
});
// dynalite throws from a request's 'error' event when a client goes away mid-request (a replica killed by a
// test): that request is lost, the server must live on, as DynamoDB does.
process.on('uncaughtException', (err) => {
  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
    console.log(`dynalite: a client went away mid-request (${err.message})`);
    return;
  }
  console.error(err);
  process.exit(1);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
