// Entry point of the viewer bundle (viewer.js, global LeaseKvViewer).
// results/index.html calls LeaseKvViewer.index(); each run page calls LeaseKvViewer.run(window.LKV_RUN).
export { index } from './index.js';
export { run } from './run.js';
