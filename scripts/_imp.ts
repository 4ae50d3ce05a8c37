import { openBench } from './bench-common';
const b = await openBench({ demoDir: '/work/bench-data/demo12x60', work: '/work/bench-data/demo12x60/bench-objectives', name: 'bench', seed: 1, log: (s) => console.error(s) });
console.error(b.splitText);
await b.app.backend.close();
