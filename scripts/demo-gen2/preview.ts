// A contact sheet of one identity at chosen AU apexes and poses, for looking at what the second
// generator renders (not used by the bench):
//   npx tsx scripts/demo-gen2/preview.ts OUT.png [subject index] [yaw°]
import { spawnSync } from 'node:child_process';
import { ffmpegPath } from '../../src/main/services/media/ffmpeg';
import { FaceEngine } from '../../src/main/services/media/worker/faces';
import { faceCatalog, loadIdentity } from '../demo/identities';
import { rotation } from './face';
import { GEN2_AUS, type Intensities } from './fields';
import { frameBuffers, makeBackdrop, prepareFace, renderFrame, type View } from './render';

const [out = 'preview.png', who = '0', yawArg = '0'] = process.argv.slice(2);
const W = 320, H = 240;
const engine = await FaceEngine.load({ landmarkModel: 'full', detectorInputSize: 608, minScore: 0.3 });
const faces = await faceCatalog(engine);
const face = prepareFace(await loadIdentity(engine, faces[Number(who)]!, 'S', 384));
const poses: Intensities[] = [{}, ...GEN2_AUS.map((au) => ({ [au]: 5 }) as Intensities), { 45: 5 }, { 6: 4, 12: 5, 25: 3 }, { 1: 4, 2: 4, 5: 4, 25: 4, 26: 5 }];
const fb = frameBuffers(face, W, H);
const backdrop = makeBackdrop(face, W, H, 1.5);
const sheet = new Uint8Array(W * 4 * H * 4 * 3);
poses.forEach((c, i) => {
  const yaw = Number(yawArg) * (i % 2 ? -1 : 1);
  const view: View = { R: rotation((yaw * Math.PI) / 180, 0, 0), cx: W / 2, cy: H / 2, scale: (0.55 * W) / face.faceWidth, light: [0.5, -0.4, 0.77], ambient: 0.5 };
  const frame = new Uint8Array(W * H * 3);
  renderFrame(face, c, view, fb, backdrop, frame);
  const ox = (i % 4) * W, oy = Math.floor(i / 4) * H;
  for (let y = 0; y < H; y++) sheet.set(frame.subarray(y * W * 3, (y + 1) * W * 3), ((oy + y) * W * 4 + ox) * 3);
});
const r = spawnSync(ffmpegPath(), ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W * 4}x${H * 4}`, '-i', 'pipe:0', out], { input: Buffer.from(sheet) });
if (r.status !== 0) throw new Error(r.stderr.toString());
console.log(`${out}: neutral, ${GEN2_AUS.map((a) => `AU${a}`).join(', ')}, blink, 6+12+25, 1+2+5+25+26 at intensity 5 (yaw ±${yawArg}° alternating)`);
