/** The open panel's CSS (the loader's styles.ts defines the variables it uses). */
export const PANEL_CSS = `
.head {
  display: flex;
  align-items: center;
  gap: 8px;
  padding: 10px 12px;
  border-bottom: 1px solid var(--border);
  background: var(--soft);
}
.title { flex: 1; min-width: 0; margin: 0; font-size: 15px; font-weight: 600; }
.model { display: block; font-size: 12px; font-weight: 400; color: var(--muted);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tool {
  margin: 0;
  padding: 4px 10px;
  font: inherit;
  font-size: 13px;
  color: var(--fg);
  background: transparent;
  border: 1px solid var(--border);
  border-radius: 8px;
  cursor: pointer;
}
.tool:hover { background: var(--bg); }
.banner {
  margin: 8px 12px 0;
  padding: 8px 10px;
  border: 1px solid var(--danger);
  border-radius: 8px;
  color: var(--danger);
  background: color-mix(in srgb, var(--danger) 8%, var(--bg));
}
.banner[hidden] { display: none; }
.engine { margin: 6px 12px 0; font-size: 12px; color: var(--muted); }
.engine[hidden] { display: none; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.empty { margin: auto 0; color: var(--muted); text-align: center; }
.msg { max-width: 88%; padding: 8px 11px; border-radius: 12px; overflow-wrap: anywhere; }
.msg.user { align-self: flex-end; background: var(--accent); color: var(--on-accent); white-space: pre-wrap; }
.msg.assistant { align-self: flex-start; background: var(--soft); }
.msg .who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
.msg .copy { display: block; margin-top: 6px; padding: 1px 8px; font-size: 12px; }
.msg.streaming .copy { display: none; }
.body > :first-child { margin-top: 0; }
.body > :last-child { margin-bottom: 0; }
.body p, .body ul, .body ol, .body pre { margin: 0 0 8px; }
.body ul, .body ol { padding-inline-start: 20px; }
.body a { color: var(--accent); }
.body code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.body :not(pre) > code { background: var(--bg); padding: 1px 4px; border-radius: 4px; }
.code-block { margin: 0 0 8px; border: 1px solid var(--border); border-radius: 8px; overflow: hidden; background: var(--bg); }
.code-head { display: flex; justify-content: space-between; align-items: center; padding: 2px 8px;
  font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--border); }
.code-copy { font: inherit; font-size: 12px; background: none; border: 0; color: var(--accent); cursor: pointer; }
.code-block pre { margin: 0; padding: 8px; overflow-x: auto; }
.hljs-keyword, .hljs-built_in, .hljs-type { color: #7c3aed; }
.hljs-string, .hljs-attr { color: #15803d; }
.hljs-comment { color: var(--muted); font-style: italic; }
.hljs-number, .hljs-literal { color: #b45309; }
.composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--border); }
.composer textarea {
  flex: 1;
  min-width: 0;
  height: 40px;
  max-height: 120px;
  margin: 0;
  padding: 9px 10px;
  font: inherit;
  color: var(--fg);
  background: var(--bg);
  border: 1px solid var(--border);
  border-radius: 8px;
  resize: none;
}
.composer textarea:disabled { opacity: 0.6; }
.send {
  margin: 0;
  padding: 0 14px;
  font: inherit;
  font-weight: 600;
  color: var(--on-accent);
  background: var(--accent);
  border: 0;
  border-radius: 8px;
  cursor: pointer;
}
.send:disabled { opacity: 0.5; cursor: default; }
.send[hidden] { display: none; }
.send.stop { background: var(--fg); color: var(--bg); }
`;
