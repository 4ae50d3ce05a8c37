import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGroundTruth } from '../../../src/main/services/learn/backend/groundTruth';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-groundtruth-');
afterEach(() => tmp.cleanup());

describe('readGroundTruth', () => {
  it('reads frames whose rows hold a quoted line break or comma before the AU columns', () => {
    const file = path.join(tmp.make(), 'truth.csv');
    fs.writeFileSync(file, 'frame,note,AU01,AU12\n0,"smile\nbroad",3,1\n1,"brows, up",2,\n2,,0,4\n');
    const gt = readGroundTruth(file);
    expect(gt.frameCount).toBe(3);
    expect([...gt.values.get(1)!]).toEqual([3, 2, 0]);
    expect([...gt.values.get(12)!]).toEqual([1, Number.NaN, 4]);
  });
});
