// Starts dynalite (an in-memory DynamoDB) on 127.0.0.1 at a port the kernel picks, with tables active at
// once, and prints "dynalite listening on PORT" when it accepts requests. Ends on SIGTERM.
const dynalite = require('dynalite');

const server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0});
server.listen(0, '127.0.0.1', () => {
  console.log(`dynalite listening on ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
