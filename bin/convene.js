#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript (npm install runs the build through `prepare`).
require('../dist/src/cli/convene.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
