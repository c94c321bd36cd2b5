// Decodes a run's view-data.js (window.LKV_RUN): the timeline's columns are delta-coded and
// strings interned (see leasekv.harness.web.series/timeline-columns).

function column(cols, name, n, fill) {
  const c = cols[name];
  if (c) return c;
  return new Array(n).fill(fill);
}

export function decodeOps(run) {
  const tl = run.timeline;
  const cols = tl.columns;
  const n = (cols.t || []).length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const index = new Float64Array(n);
  const dur = column(cols, 'd', n, -1);
  const di = column(cols, 'i', n, 0);
  let t = 0;
  let idx = 0;
  let maxDur = 0;
  for (let i = 0; i < n; i++) {
    t += cols.t[i];
    idx += di[i];
    start[i] = t;
    index[i] = idx;
    if (dur[i] >= 0) {
      end[i] = t + dur[i];
      if (dur[i] > maxDur) maxDur = dur[i];
    } else {
      end[i] = -1;
    }
  }
  const pending = [];
  for (let i = 0; i < n; i++) if (end[i] < 0) pending.push(i);
  return {
    n,
    start,
    end,
    index,
    dur,
    lane: column(cols, 'p', n, 0),
    kind: column(cols, 'k', n, 0),
    f: column(cols, 'f', n, 0),
    value: column(cols, 'v', n, -1),
    result: column(cols, 'cv', n, -1),
    node: column(cols, 'n', n, -1),
    served: column(cols, 'x', n, -1),
    error: column(cols, 'e', n, -1),
    completion: column(cols, 'c', n, -1),
    strings: tl.strings,
    processes: tl.processes,
    fs: tl.fs,
    maxDur,
    pending,
    endUs: Math.max(run.endUs || 0, n ? start[n - 1] : 0),
  };
}

export function str(ops, i) {
  return i >= 0 ? ops.strings[i] : null;
}

// First position in the sorted array `a` whose value is >= x.
export function lowerBound(a, x) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
