/**
 * The inline style sheet of the HTML report (html.ts). Both panes are the same width and
 * lay out their rows alike, so their lanes are the same width too: with bars placed in
 * percent of one shared duration, a microsecond is as many pixels in either pane.
 */
export const STYLE = `
:root {
  --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --grid: #e8ecf0; --bg: #f6f8fa;
  --mesh-fill: #a9cbef; --mesh-line: #2f6aa8;
  --app-fill: #f8c27c; --app-line: #b5650a;
  --error: #b3122c; --error-bg: #ffebe9; --warn: #7a4a00; --warn-bg: #fff5d1;
  --label-width: 44%; --lane-room: 6.5em; --indent: 12px;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--text); background: var(--bg); }
.mono, .kv td, .duration, .tick, .at { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
a { color: #0550ae; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 4px; font-weight: 600; }
h3 { font-size: 15px; margin: 18px 0 8px; }
h4 { font-size: 12px; margin: 10px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 2px 0; }
.page-head { padding: 14px 24px 12px; background: #fff; border-bottom: 1px solid var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin-top: 8px; color: var(--muted); font-size: 13px; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 12px; border-radius: 3px; }
.key.mesh .swatch { background: var(--mesh-fill); border: 1px solid var(--mesh-line); }
.key.app .swatch { background: var(--app-fill); border: 1px solid var(--app-line); }
main { padding: 16px 24px 32px; }
.panes { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; align-items: start; }
@media (max-width: 900px) { .panes, .only { grid-template-columns: minmax(0, 1fr); } }
.pane { background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.pane-head { padding: 10px 14px; border-bottom: 1px solid var(--line); }
.side { display: inline-block; min-width: 1.6em; padding: 0 6px; margin-right: 4px; border-radius: 4px; background: var(--text); color: #fff; text-align: center; }
.trace-id, .stats { color: var(--muted); font-size: 13px; }
.broken p, .broken ul { margin: 2px 0; }
.broken { margin-top: 8px; padding: 6px 10px; border: 1px solid #ff8182; border-radius: 6px; background: var(--error-bg); color: #82071e; }
.waterfall { padding-bottom: 6px; }
.span > summary { list-style: none; }
.span > summary::-webkit-details-marker { display: none; }
.row { display: grid; grid-template-columns: var(--label-width) minmax(0, 1fr); align-items: stretch; min-height: 26px; }
.span > .row { cursor: pointer; border-top: 1px solid #f0f3f6; }
.span > .row:hover { background: #f3f6f9; }
.span[open] > .row { background: #e7f0fb; }
.span > .row:focus-visible { outline: 2px solid #0969da; outline-offset: -2px; }
.label { position: relative; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 6px; min-width: 0; padding: 3px 8px 3px calc(22px + var(--depth, 0) * var(--indent)); }
.label::before { content: ""; position: absolute; top: 0; bottom: 0; left: 15px; width: calc(var(--depth, 0) * var(--indent)); background: repeating-linear-gradient(to right, var(--line) 0 1px, transparent 1px var(--indent)); }
.span .label::after { content: "▸"; position: absolute; top: 4px; left: calc(8px + var(--depth, 0) * var(--indent)); color: var(--muted); font-size: 11px; }
.span[open] .label::after { content: "▾"; }
.name { min-width: 0; overflow-wrap: anywhere; }
.svc { color: var(--muted); }
.mark { flex: none; font-size: 11px; line-height: 16px; padding: 0 6px; border-radius: 8px; white-space: nowrap; }
.error-mark { color: var(--error); background: var(--error-bg); border: 1px solid #ff8182; font-weight: 600; }
.orphan-mark { color: var(--warn); background: var(--warn-bg); border: 1px solid #d4a72c; }
.error-text { color: var(--error); font-weight: 600; }
.lane { position: relative; margin-right: var(--lane-room); border-left: 1px solid var(--line); background-image: linear-gradient(to right, var(--grid) 1px, transparent 1px); background-size: var(--tick) 100%; }
.bar { position: absolute; top: calc(50% - 7px); height: 14px; min-width: 2px; border-radius: 3px; border: 1px solid; }
.mesh .bar { background-color: var(--mesh-fill); border-color: var(--mesh-line); }
.app .bar { background-color: var(--app-fill); border-color: var(--app-line); }
.error .bar { border: 2px solid var(--error); background-image: repeating-linear-gradient(135deg, transparent 0 4px, rgba(179, 18, 44, .45) 4px 6px); }
.duration { position: absolute; top: calc(50% - 8px); margin-left: 5px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.axis { min-height: 22px; font-size: 11px; color: var(--muted); border-bottom: 1px solid var(--line); }
.axis .label { padding-left: 14px; }
.axis .label::before { display: none; }
.tick { position: absolute; top: 4px; padding-left: 3px; white-space: nowrap; }
.details { padding: 6px 14px 12px 22px; background: #fbfcfd; border-top: 1px solid var(--grid); border-bottom: 1px solid var(--line); font-size: 13px; overflow-wrap: anywhere; }
.fullname { margin-bottom: 4px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.kv { border-collapse: collapse; width: 100%; }
.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 1px 12px 1px 0; vertical-align: top; white-space: nowrap; width: 1%; min-width: 9em; }
.kv td { padding: 1px 0; font-size: 12px; word-break: break-all; }
.kv tr.error-tag th, .kv tr.error-tag td { color: var(--error); font-weight: 600; }
.logs { list-style: none; padding: 0; margin: 0; }
.logs li { display: grid; grid-template-columns: 7.5em 1fr; gap: 8px; padding: 2px 0; border-top: 1px dashed var(--grid); }
.at { font-size: 12px; color: var(--muted); }
.none { color: var(--muted); font-style: italic; }
.summary { margin-top: 8px; }
.only { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 2px 14px 10px; }
.card ul { margin: 0; padding-left: 20px; }
.numbers { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
.numbers col.what { width: 8em; }
.numbers th, .numbers td { text-align: left; padding: 4px 14px; border-top: 1px solid var(--grid); vertical-align: top; }
.numbers tbody th { font-weight: 500; color: var(--muted); }
.note { margin-top: 8px; color: var(--muted); font-size: 13px; }
`;
