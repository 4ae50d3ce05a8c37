import fs from 'node:fs';
import path from 'node:path';

/**
 * The real path of `p`: the realpath of its longest existing prefix, then the parts that do not
 * exist yet. What a path names is decided by this, never by the links it was spelt through.
 */
export function realish(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  while (!fs.existsSync(head)) {
    const parent = path.dirname(head);
    if (parent === head) return path.resolve(p);
    tail.unshift(path.basename(head));
    head = parent;
  }
  return path.join(fs.realpathSync(head), ...tail);
}
