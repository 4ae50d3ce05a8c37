import { useEffect, useRef, type Ref } from 'react';
import type { FrameInfo } from '@shared/types';
import type { AssetState, Crop, Still } from './frameAssets';

/** The 68-point (iBUG) landmark scheme as polylines: jaw, brows, nose, eyes, lips. */
const CONTOURS: { from: number; to: number; closed: boolean }[] = [
  { from: 0, to: 16, closed: false },
  { from: 17, to: 21, closed: false },
  { from: 22, to: 26, closed: false },
  { from: 27, to: 30, closed: false },
  { from: 31, to: 35, closed: false },
  { from: 36, to: 41, closed: true },
  { from: 42, to: 47, closed: true },
  { from: 48, to: 59, closed: true },
  { from: 60, to: 67, closed: true },
];

function FaceOverlay({ info, width, height }: { info: FrameInfo; width: number; height: number }) {
  const lm = info.landmarks;
  const [bx, by, bw, bh] = info.box ?? [];
  // Stroke widths in source pixels, so they look the same on a 320 px and a 1920 px video.
  const unit = Math.max(width, height) / 400;
  return (
    <svg className="stage-overlay" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
      {bx !== undefined && by !== undefined && bw !== undefined && bh !== undefined && (
        <rect x={bx} y={by} width={bw} height={bh} className="ov-box" strokeWidth={unit * 1.2} />
      )}
      {lm &&
        CONTOURS.map((c) => {
          const pts: string[] = [];
          for (let i = c.from; i <= c.to; i++) pts.push(`${lm[2 * i]},${lm[2 * i + 1]}`);
          return c.closed ? (
            <polygon key={c.from} points={pts.join(' ')} className="ov-line" strokeWidth={unit * 0.8} />
          ) : (
            <polyline key={c.from} points={pts.join(' ')} className="ov-line" strokeWidth={unit * 0.8} />
          );
        })}
      {lm &&
        Array.from({ length: Math.floor(lm.length / 2) }, (_, i) => (
          <circle key={i} cx={lm[2 * i]} cy={lm[2 * i + 1]} r={unit * 1.3} className="ov-point" />
        ))}
    </svg>
  );
}

interface StageProps {
  /** Source video size: the overlay's coordinate system. */
  width: number;
  height: number;
  frame: number;
  still: AssetState<Still>;
  info: FrameInfo | null;
  overlay: boolean;
  /** Where the parent plays the video (label view); the still shows whenever it is paused. */
  video?: { ref: Ref<HTMLVideoElement>; src: string | undefined; playing: boolean };
  label: string;
}

/** The current frame, frame-exact, with the face box and landmarks as an optional overlay. */
export function FrameStage({ width, height, frame, still, info, overlay, video, label }: StageProps) {
  const playing = video?.playing ?? false;
  const stale = still.frame !== frame;
  return (
    <figure className="stage" aria-label={label} aria-busy={stale}>
      {video && <video ref={video.ref} src={video.src} preload="metadata" playsInline className={playing ? 'stage-media' : 'stage-media hidden'} aria-label="Video playback" />}
      {still.value && <img className={playing ? 'stage-media hidden' : 'stage-media'} src={still.value.src} alt={`Frame ${still.frame ?? frame}`} draggable={false} />}
      {!playing && overlay && info && info.frame === frame && <FaceOverlay info={info} width={width} height={height} />}
      {!playing && info && info.frame === frame && !info.face && <span className="stage-badge warn">No face found in this frame</span>}
      {!playing && still.error && still.frame === frame && (
        <span className="stage-badge err" role="alert">
          {still.error}
        </span>
      )}
      {!playing && stale && <span className="stage-spinner" aria-hidden="true" />}
    </figure>
  );
}

/** The aligned face crop the model sees, enlarged with hard pixel edges. */
export function AlignedCrop({ crop, frame, size = 192 }: { crop: AssetState<Crop>; frame: number; size?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const v = crop.value;
    if (!c || !v) return;
    c.width = v.width;
    c.height = v.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(v.pixels), v.width, v.height), 0, 0);
  }, [crop.value]);
  return (
    <figure className="crop">
      <canvas
        ref={canvas}
        className={crop.frame === frame ? 'crop-canvas' : 'crop-canvas stale'}
        style={{ width: size, height: size }}
        role="img"
        aria-label={crop.value ? `Aligned face crop of frame ${crop.frame}, ${crop.value.width}×${crop.value.height} pixels` : 'Aligned face crop loading'}
      />
      <figcaption className="muted small">
        Aligned crop{crop.value ? ` · ${crop.value.width}×${crop.value.height}` : ''}
        {crop.error && crop.frame === frame ? <span className="error-text"> · {crop.error}</span> : null}
      </figcaption>
    </figure>
  );
}
