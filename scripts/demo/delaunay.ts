// Bowyer–Watson Delaunay triangulation; the demo meshes have ~100 points, so O(n²) is plenty.

export function delaunay(points: ArrayLike<number>): Uint16Array {
  const n = points.length / 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, points[2 * i]!);
    maxX = Math.max(maxX, points[2 * i]!);
    minY = Math.min(minY, points[2 * i + 1]!);
    maxY = Math.max(maxY, points[2 * i + 1]!);
  }
  const d = Math.max(maxX - minX, maxY - minY) * 20;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const px = [...Array.from({ length: n }, (_, i) => points[2 * i]!), cx - d, cx, cx + d];
  const py = [...Array.from({ length: n }, (_, i) => points[2 * i + 1]!), cy - d, cy + d, cy - d];
  type Tri = { a: number; b: number; c: number; x: number; y: number; r2: number };
  const circ = (a: number, b: number, c: number): Tri => {
    const ax = px[a]!, ay = py[a]!, bx = px[b]!, by = py[b]!, cxx = px[c]!, cyy = py[c]!;
    const D = 2 * (ax * (by - cyy) + bx * (cyy - ay) + cxx * (ay - by));
    const ux = ((ax * ax + ay * ay) * (by - cyy) + (bx * bx + by * by) * (cyy - ay) + (cxx * cxx + cyy * cyy) * (ay - by)) / D;
    const uy = ((ax * ax + ay * ay) * (cxx - bx) + (bx * bx + by * by) * (ax - cxx) + (cxx * cxx + cyy * cyy) * (bx - ax)) / D;
    return { a, b, c, x: ux, y: uy, r2: (ax - ux) ** 2 + (ay - uy) ** 2 };
  };
  let tris: Tri[] = [circ(n, n + 1, n + 2)];
  for (let i = 0; i < n; i++) {
    const x = px[i]!;
    const y = py[i]!;
    const bad: Tri[] = [];
    const keep: Tri[] = [];
    for (const t of tris) ((x - t.x) ** 2 + (y - t.y) ** 2 < t.r2 ? bad : keep).push(t);
    // Boundary of the cavity: edges that belong to exactly one bad triangle.
    const edges = new Map<string, [number, number]>();
    for (const t of bad)
      for (const [p, q] of [
        [t.a, t.b],
        [t.b, t.c],
        [t.c, t.a],
      ] as const) {
        const k = p < q ? `${p},${q}` : `${q},${p}`;
        if (edges.has(k)) edges.delete(k);
        else edges.set(k, [p, q]);
      }
    for (const [p, q] of edges.values()) keep.push(circ(p, q, i));
    tris = keep;
  }
  const out: number[] = [];
  for (const t of tris) if (t.a < n && t.b < n && t.c < n) out.push(t.a, t.b, t.c);
  return Uint16Array.from(out);
}
