#!/usr/bin/env node
// Regenerates engine/proto/generated from the .proto files (npm run proto:generate). The generator emits
// extensionless relative imports; Cairn is an ES module project, so they are rewritten to end in ".ts".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'generated');
rmSync(outDir, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    path.join(here, '../../node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
    '--keepCase', '--longs=String', '--enums=Number', '--defaults', '--arrays', '--oneofs', '--grpcLib=@grpc/grpc-js',
    `--outDir=${outDir}`, '--includeDirs', path.join(here, 'etcd'), path.join(here, 'cairn'),
    '--', 'rpc.proto', 'internal.proto',
  ],
  { stdio: 'inherit' },
);

function walk(directory) {
  for (const name of readdirSync(directory)) {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (file.endsWith('.ts')) {
      const text = readFileSync(file, 'utf8').replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.ts'");
      writeFileSync(file, text);
    }
  }
}
walk(outDir);
