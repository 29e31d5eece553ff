import fs from 'node:fs';
import path from 'node:path';

// Non-TypeScript assets (SQL migrations, page templates, static files) stay in src/ and are read
// from there both under tsx/jest and from the compiled dist/, so the build needs no copy step.
function findProjectRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(__dirname);
export const srcDir = path.join(projectRoot, 'src');
