export const PANEL_CSS = `
.bk-panel{position:fixed;bottom:92px;z-index:2147483001;width:370px;height:min(600px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;color:#1d2330;border-radius:16px;box-shadow:0 12px 48px rgba(16,24,40,.28);overflow:hidden;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left;letter-spacing:normal;text-transform:none}
.bk-panel *{box-sizing:border-box;font:inherit;letter-spacing:normal;text-transform:none;line-height:inherit}
.bk-panel.bk-right{right:20px}.bk-panel.bk-left{left:20px}
.bk-head{display:flex;align-items:center;gap:12px;padding:14px 14px 14px 16px;color:#fff}
.bk-avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:flex;align-items:center;justify-content:center;font-weight:700;font-size:16px;flex:none;overflow:hidden}
.bk-avatar img{width:100%;height:100%;object-fit:cover}
.bk-title{flex:1;min-width:0}
.bk-title b{display:block;font-weight:650;font-size:15px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bk-title span{display:flex;align-items:center;gap:6px;font-size:12.5px;opacity:.92}
.bk-dot{width:8px;height:8px;border-radius:50%;background:#3ddc84;flex:none}
.bk-dot.bk-off{background:#f5b83d}
.bk-x{background:transparent;border:0;color:#fff;width:34px;height:34px;border-radius:8px;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0}
.bk-x:hover{background:rgba(255,255,255,.16)}
.bk-x:focus-visible,.bk-send:focus-visible,.bk-link:focus-visible{outline:2px solid #1d2330;outline-offset:2px}
.bk-x svg{width:20px;height:20px;fill:currentColor}
.bk-banner{padding:7px 14px;background:#fff4d6;color:#6b4e00;font-size:12.5px;border-bottom:1px solid #f2e2b3}
.bk-log{flex:1;overflow-y:auto;padding:14px 14px 6px;background:#f6f7f9;display:flex;flex-direction:column;gap:6px;overscroll-behavior:contain}
.bk-msg{max-width:82%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.bk-msg a{color:inherit;text-decoration:underline}
.bk-them{align-self:flex-start;background:#fff;border:1px solid #e6e8ec;border-bottom-left-radius:4px}
.bk-me{align-self:flex-end;color:#fff;border-bottom-right-radius:4px}
.bk-who{align-self:flex-start;font-size:11.5px;color:#667085;margin:6px 0 -2px 4px}
.bk-time{display:block;font-size:10.5px;opacity:.65;margin-top:2px;text-align:right}
.bk-gone{opacity:.7}.bk-mine{align-self:flex-end;display:flex;gap:10px;font-size:11.5px;margin:-4px 2px 0;opacity:0;transition:opacity .15s}.bk-msg.bk-me:hover~.bk-mine,.bk-mine:hover,.bk-mine:focus-within{opacity:1}@media (hover:none){.bk-mine{opacity:1}}.bk-editing{position:absolute;bottom:100%;left:0;right:0;padding:4px 12px;background:#fffaeb;font-size:12px;border-top:1px solid #fedf89}
.bk-seen{align-self:flex-end;font-size:10.5px;color:#667085;margin:-4px 2px 0}
.bk-pending{opacity:.7}
.bk-failed{align-self:flex-end;font-size:12px;color:#b42318;display:flex;gap:8px;align-items:center}
.bk-link{background:none;border:0;padding:0;color:inherit;text-decoration:underline;cursor:pointer;font-weight:600}
.bk-note{align-self:center;font-size:12px;color:#667085;text-align:center;padding:6px 8px}
.bk-divider{align-self:stretch;display:flex;align-items:center;gap:8px;font-size:11.5px;color:#98a2b3;margin:6px 0}
.bk-divider:before,.bk-divider:after{content:"";flex:1;height:1px;background:#e4e7ec}
.bk-typing{font-size:12px;color:#667085;padding:2px 4px 6px;min-height:22px}
.bk-more{align-self:center;margin-bottom:4px}
.bk-compose{position:relative;display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #eaecf0;background:#fff}
.bk-input{flex:1;resize:none;border:1px solid #d0d5dd;border-radius:10px;padding:9px 11px;max-height:120px;min-height:40px;outline:none;color:#1d2330;background:#fff}
.bk-input:focus{border-color:var(--bk-color);box-shadow:0 0 0 3px color-mix(in srgb,var(--bk-color) 20%,transparent)}
.bk-send{width:40px;height:40px;border-radius:10px;border:0;color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;flex:none;padding:0}
.bk-clip{border:0;background:none;padding:0;width:32px;height:40px;display:flex;align-items:center;justify-content:center;color:#667085;cursor:pointer;flex:none;border-radius:8px}.bk-clip:hover{color:#344054;background:#f2f4f7}.bk-clip svg{width:20px;height:20px;fill:currentColor}.bk-clip input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}.bk-clip:focus-within{outline:2px solid var(--bk-color);outline-offset:1px}
.bk-doc{display:inline-flex;gap:6px;align-items:baseline;text-decoration:none;font-weight:600;word-break:break-all}
.bk-send:disabled{opacity:.45;cursor:default}
.bk-send svg{width:20px;height:20px;fill:currentColor}
.bk-count{font-size:11px;color:#b42318;padding:0 14px 6px;background:#fff}
.bk-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bk-queue,.bk-answer{align-self:stretch;background:#fff;border:1px solid #e4e7ec;border-radius:12px;padding:9px 12px;font-size:13px}
.bk-queue b,.bk-answer b{display:block;font-weight:650}
.bk-answer{border-color:var(--bk-color);white-space:pre-wrap}
.bk-q{color:#667085;font-size:12px;margin:2px 0 4px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bk-leave,.bk-pre{display:flex;flex-direction:column;gap:8px;padding:10px 12px;border-top:1px solid #eaecf0;background:#fff}
.bk-leave p{margin:0;font-size:13px;color:#475467}
.bk-pre{padding-bottom:0;border:0}
.bk-leave .bk-input,.bk-pre .bk-input{min-height:0;padding:8px 11px;flex:none}
.bk-row{display:flex;align-items:center;gap:14px}
.bk-btn{border:0;border-radius:10px;padding:9px 16px;color:#fff;font-weight:600;cursor:pointer}
.bk-peek{color:#667085;padding-top:4px}
@media (max-width:480px){.bk-panel,.bk-panel.bk-right,.bk-panel.bk-left{inset:0;width:100%;height:100%;border-radius:0;bottom:0}}
@media (prefers-reduced-motion:no-preference){.bk-panel{animation:bk-in .18s ease-out}@keyframes bk-in{from{opacity:0;transform:translateY(12px)}}}
`;
