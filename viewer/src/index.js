// results/index.html: filters (free text, verdicts, db, workload, nemesis) and sorting by any
// column, over rows the harness rendered. The state lives in the URL's hash, so a filtered,
// sorted list can be bookmarked or shared.

export function index() {
  const table = document.getElementById('runs');
  if (!table) return null;
  const tbody = table.tBodies[0];
  const rows = Array.from(tbody.rows);
  const text = document.getElementById('filter');
  const verdictBoxes = Array.from(document.querySelectorAll('input[name=verdict]'));
  const selects = Array.from(document.querySelectorAll('select[data-column]'));
  const shown = document.getElementById('shown-count');
  const headers = Array.from(table.tHead.rows[0].cells);
  const sort = { column: 0, dir: -1 };

  function matches(row) {
    const q = text.value.trim().toLowerCase();
    if (q && !q.split(/\s+/).every((w) => row.dataset.search.includes(w))) return false;
    if (!verdictBoxes.find((b) => b.value === row.dataset.verdict && b.checked)) return false;
    return selects.every((s) => !s.value || row.dataset[s.dataset.column] === s.value);
  }

  function cellValue(row, column) {
    const cell = row.cells[column];
    return cell.dataset.value != null ? cell.dataset.value : cell.textContent;
  }

  function applySort() {
    const numeric = headers[sort.column].dataset.sort === 'num';
    const sorted = rows.slice().sort((a, b) => {
      const x = cellValue(a, sort.column);
      const y = cellValue(b, sort.column);
      const c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return c !== 0 ? c * sort.dir : cellValue(b, 0).localeCompare(cellValue(a, 0));
    });
    for (const r of sorted) tbody.append(r);
    headers.forEach((h, i) => {
      h.classList.toggle('sorted-asc', i === sort.column && sort.dir > 0);
      h.classList.toggle('sorted-desc', i === sort.column && sort.dir < 0);
    });
  }

  function apply() {
    let n = 0;
    for (const r of rows) {
      const ok = matches(r);
      r.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = n === rows.length ? `${n} shown` : `${n} of ${rows.length} shown`;
    saveHash();
  }

  function saveHash() {
    const p = new URLSearchParams();
    if (text.value) p.set('q', text.value);
    const off = verdictBoxes.filter((b) => !b.checked).map((b) => b.value);
    if (off.length) p.set('hide', off.join(','));
    for (const s of selects) if (s.value) p.set(s.dataset.column, s.value);
    if (sort.column !== 0 || sort.dir !== -1) p.set('sort', `${sort.column}${sort.dir > 0 ? 'a' : 'd'}`);
    const h = p.toString();
    history.replaceState(null, '', h ? '#' + h : location.pathname + location.search);
  }

  function loadHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    text.value = p.get('q') || '';
    const off = (p.get('hide') || '').split(',');
    for (const b of verdictBoxes) b.checked = !off.includes(b.value);
    for (const s of selects) s.value = p.get(s.dataset.column) || '';
    const m = /^(\d+)([ad])$/.exec(p.get('sort') || '');
    if (m && headers[Number(m[1])] && headers[Number(m[1])].dataset.sort) {
      sort.column = Number(m[1]);
      sort.dir = m[2] === 'a' ? 1 : -1;
    }
  }

  headers.forEach((h, i) => {
    if (!h.dataset.sort) return;
    h.addEventListener('click', () => {
      sort.dir = sort.column === i ? -sort.dir : (h.dataset.sort === 'num' ? -1 : 1);
      sort.column = i;
      applySort();
      apply();
    });
  });
  text.addEventListener('input', apply);
  for (const b of verdictBoxes) b.addEventListener('change', apply);
  for (const s of selects) s.addEventListener('change', apply);

  loadHash();
  applySort();
  apply();
  const api = { rows, apply, sort };
  window.lkvIndex = api;
  return api;
}
