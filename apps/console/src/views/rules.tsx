/**
 * Rules: the list in priority order (on/off, up/down), the editor (conditions, variants,
 * controls, goal) validated with the protocol schema, a live preview rendered by the widget's
 * own offer component, and the funnel per rule and variant.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ActionKind, FACTS, FACT_NAMES, OPS_BY_TYPE, RuleInput, type Condition, type Fact, type FunnelRow, type Lang, type Leaf, type Op, type OfferContent, type OfferView, type Rule } from '@beckon/protocol';
import { OFFER_CSS, OfferCard } from '@beckon/widget/offer';
import { api } from '../api';
import { EVERYDAY } from '../i18n-everyday';
import { ENGAGE } from '../i18n-engage';
import { useConsole } from '../store';

type Draft = RuleInput & { id?: string };
type T = (typeof ENGAGE)['en'];

const texts = (en = '', ru = '') => ({ en, ru });
const emptyContent = (): OfferContent => ({ title: texts(), text: texts(), code: '', url: '', button: texts(), imageUrl: '', videoUrl: '', consent: texts(), asOperator: true });

function newDraft(kind: ActionKind): Draft {
  return {
    name: '',
    // a new rule starts off: nothing half-written reaches visitors
    enabled: false,
    priority: 100,
    kind,
    when: { all: [{ fact: 'page.seconds', op: 'gte', value: 20 }] },
    variants: [{ key: 'A', weight: 1, content: emptyContent() }],
    controls: RuleInput.shape.controls.parse(undefined),
    goal: null,
  };
}

export function Rules() {
  const s = useConsole();
  const t = ENGAGE[s.lang];
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [funnel, setFunnel] = useState<FunnelRow[]>([]);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  const admin = s.me!.memberships.find((m) => m.siteId === s.siteId)?.role === 'admin';
  const base = `/api/sites/${s.siteId}`;

  const load = async () => {
    try {
      const [r, f] = await Promise.all([api<{ rules: Rule[] }>('GET', `${base}/rules`), api<{ rows: FunnelRow[] }>('GET', `${base}/funnel?days=30`)]);
      setRules(r.rules.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name)));
      setFunnel(f.rows);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [s.siteId]);

  const put = async (r: Rule, patch: Partial<Rule>) => {
    const { id, updatedAt: _u, ...def } = { ...r, ...patch };
    try {
      await api('PUT', `${base}/rules/${id}`, def);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  /** swap priorities with the neighbour (equal priorities get spread first) */
  const move = async (i: number, dir: -1 | 1) => {
    const list = rules!;
    const j = i + dir;
    if (j < 0 || j >= list.length) return;
    const a = list[i]!;
    const b = list[j]!;
    const pa = a.priority === b.priority ? b.priority - dir : b.priority;
    await Promise.all([put(a, { priority: Math.max(0, Math.min(1000, pa)) }), put(b, { priority: a.priority })]);
    await load();
  };
  const remove = async (r: Rule) => {
    if (!confirm(t.confirmDelete(r.name))) return;
    await api('DELETE', `${base}/rules/${r.id}`).catch((e: Error) => setError(e.message));
    await load();
  };

  if (editing) return <Editor draft={editing} t={t} lang={s.lang} admin={admin} onClose={() => (setEditing(null), void load())} base={base} />;

  return (
    <section class="page wide rules">
      <div class="page-head">
        <h2>{t.rules}</h2>
        <div class="spacer" />
        {admin && (
          <select
            class="new-rule"
            aria-label={t.newRule}
            value=""
            onChange={(e) => {
              const k = e.currentTarget.value as ActionKind;
              if (k) setEditing(newDraft(k));
            }}
          >
            <option value="">{t.newRule}…</option>
            {ActionKind.options.map((k) => (
              <option value={k}>{t.kinds[k]}</option>
            ))}
          </select>
        )}
      </div>
      {error && <p class="error">{error}</p>}
      {rules && !rules.length && <p class="empty">{t.noRules}</p>}
      <ol class="rule-list">
        {(rules ?? []).map((r, i) => (
          <li class={`rule-item${r.enabled ? '' : ' off'}`} key={r.id}>
            <label class="toggle" title={r.enabled ? t.enabled : t.disabled}>
              <input type="checkbox" checked={r.enabled} disabled={!admin} onChange={async (e) => (await put(r, { enabled: e.currentTarget.checked }), void load())} />
              <span>{r.enabled ? t.enabled : t.disabled}</span>
            </label>
            <div class="rule-main">
              <b>{r.name}</b>
              <div class="muted small">
                {t.kinds[r.kind]} · {t.priority} {r.priority} · {summarize(r.when, t)}
              </div>
            </div>
            {admin && (
              <div class="actions">
                <button type="button" class="ghost icon" aria-label={t.moveUp} title={t.moveUp} disabled={i === 0} onClick={() => void move(i, -1)}>
                  ↑
                </button>
                <button type="button" class="ghost icon" aria-label={t.moveDown} title={t.moveDown} disabled={i === rules!.length - 1} onClick={() => void move(i, 1)}>
                  ↓
                </button>
                <button type="button" onClick={() => setEditing({ ...r })}>
                  {t.edit}
                </button>
                <button type="button" class="ghost danger" onClick={() => void remove(r)}>
                  {t.delete}
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      <Funnel rows={funnel} t={t} />
    </section>
  );
}

function summarize(c: Condition, t: T): string {
  if ('all' in c) return c.all.map((x) => summarize(x, t)).join(' & ') || '—';
  if ('any' in c) return `(${c.any.map((x) => summarize(x, t)).join(' | ')})`;
  if ('not' in c) return `${t.not} ${summarize(c.not, t)}`;
  const v = Array.isArray(c.value) ? c.value.join(', ') : c.value === undefined ? '' : typeof c.value === 'boolean' ? (c.value ? t.yes : t.no) : String(c.value);
  return `${t.facts[c.fact] ?? c.fact}${c.key ? `.${c.key}` : ''} ${t.ops[c.op]} ${v}`.trim();
}

function Funnel({ rows, t }: { rows: FunnelRow[]; t: T }) {
  const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
  return (
    <>
      <h3>{t.funnel}</h3>
      {!rows.length ? (
        <p class="empty">{t.noFunnel}</p>
      ) : (
        <table class="grid-table funnel">
          <thead>
            <tr>
              <th>{t.rules}</th>
              <th>{t.variant}</th>
              <th class="num">{t.shown}</th>
              <th class="num">{t.dismissed}</th>
              <th class="num">{t.accepted}</th>
              <th class="num">{t.converted}</th>
              <th class="num">{t.valueCol}</th>
              <th class="num">{t.holdoutCol}</th>
              <th class="num">{t.lift}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const treated = r.shown ? r.converted / r.shown : 0;
              const control = r.holdout ? r.holdoutConverted / r.holdout : null;
              return (
                <tr>
                  <td>{r.ruleId ? r.ruleName : t.manual}</td>
                  <td>{r.variant}</td>
                  <td class="num">{r.shown}</td>
                  <td class="num">
                    {r.dismissed} <span class="muted small">{pct(r.dismissed, r.shown)}</span>
                  </td>
                  <td class="num">
                    {r.accepted} <span class="muted small">{pct(r.accepted, r.shown)}</span>
                  </td>
                  <td class="num">
                    {r.converted} <span class="muted small">{pct(r.converted, r.shown)}</span>
                  </td>
                  <td class="num">{r.value.toFixed(2)}</td>
                  <td class="num">
                    {r.holdout ? (
                      <>
                        {r.holdout} <span class="muted small">{pct(r.holdoutConverted, r.holdout)}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td class="num">{control === null ? '—' : `${((treated - control) * 100).toFixed(1)} pp`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

// ---- the editor

type Node = { neg: boolean; group: boolean; mode: 'all' | 'any'; items: Node[]; leaf: Leaf };

function toNode(c: Condition, neg = false): Node {
  if ('not' in c) return toNode(c.not, !neg);
  if ('all' in c || 'any' in c) {
    const mode = 'all' in c ? 'all' : 'any';
    const list = 'all' in c ? c.all : c.any;
    return { neg, group: true, mode, items: list.map((x) => toNode(x)), leaf: defaultLeaf() };
  }
  return { neg, group: false, mode: 'all', items: [], leaf: c };
}
function fromNode(n: Node): Condition {
  const inner: Condition = n.group ? (n.mode === 'all' ? { all: n.items.map(fromNode) } : { any: n.items.map(fromNode) }) : n.leaf;
  return n.neg ? { not: inner } : inner;
}
const defaultLeaf = (): Leaf => ({ fact: 'page.path', op: 'starts_with', value: '/' });

function Editor({ draft, t, lang, admin, onClose, base }: { draft: Draft; t: T; lang: Lang; admin: boolean; onClose: () => void; base: string }) {
  const [d, setD] = useState<Draft>(draft);
  const [tree, setTree] = useState<Node>(() => {
    const n = toNode(draft.when);
    return n.group ? n : { neg: false, group: true, mode: 'all', items: [n], leaf: defaultLeaf() };
  });
  const [variant, setVariant] = useState(0);
  const [previewLang, setPreviewLang] = useState<Lang>(lang);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const patch = (p: Partial<Draft>) => {
    setD({ ...d, ...p });
    setError('');
  };
  const variants = d.variants;
  const v = variants[Math.min(variant, variants.length - 1)]!;
  const setContent = (c: Partial<OfferContent>) => patch({ variants: variants.map((x, i) => (i === variant ? { ...x, content: { ...(x.content as OfferContent), ...c } } : x)) });
  const controls = { ...RuleInput.shape.controls.parse(undefined), ...(d.controls ?? {}) };
  const content = { ...emptyContent(), ...(v.content as OfferContent) };

  const save = async (e: Event) => {
    e.preventDefault();
    const body = { ...d, when: fromNode(tree) };
    delete (body as { id?: string }).id;
    delete (body as { updatedAt?: number }).updatedAt;
    const parsed = RuleInput.safeParse(body);
    if (!parsed.success) {
      // the protocol's own check, in words: which variant, which field, what to do
      const dd = EVERYDAY[lang];
      const words = parsed.error.issues.map((i) => {
        const problem = (i as { params?: { problem?: string; variant?: string } }).params;
        if (problem?.problem) return `${d.variants.length > 1 ? `${dd.variantLabel(problem.variant ?? '')}: ` : ''}${dd.problems[problem.problem] ?? i.message}`;
        if (i.path[0] === 'name') return dd.nameMissing;
        return `${i.path.join('.')}: ${i.message}`;
      });
      return setError(`${dd.cannotSave} ${[...new Set(words)].join(' ')}`);
    }
    setBusy(true);
    try {
      if (d.id) await api('PUT', `${base}/rules/${d.id}`, parsed.data);
      else await api('POST', `${base}/rules`, parsed.data);
      onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const field = (label: string, key: 'title' | 'text' | 'button' | 'consent', multiline = false) => (
    <fieldset class="pair">
      <legend>{label}</legend>
      {(['en', 'ru'] as const).map((l) => (
        <label>
          <span class="lang-tag">{l.toUpperCase()}</span>
          {multiline ? (
            <textarea rows={2} name={`${key}-${l}`} value={content[key][l]} maxLength={600} onInput={(e) => setContent({ [key]: { ...content[key], [l]: e.currentTarget.value } })} />
          ) : (
            <input name={`${key}-${l}`} value={content[key][l]} maxLength={120} onInput={(e) => setContent({ [key]: { ...content[key], [l]: e.currentTarget.value } })} />
          )}
        </label>
      ))}
    </fieldset>
  );
  const k = d.kind;
  return (
    <section class="page wide rule-editor">
      <form class="editor-grid" onSubmit={save}>
        <div class="editor-form">
          <div class="page-head">
            <h2>{d.id ? t.editRule : `${t.newRule}: ${t.kinds[k]}`}</h2>
            <div class="spacer" />
            <button type="button" class="ghost" onClick={onClose}>
              {t.cancel}
            </button>
            {admin && (
              <button type="submit" class="primary" disabled={busy}>
                {t.save}
              </button>
            )}
          </div>
          {!d.id && <p class="muted small">{EVERYDAY[lang].startsOff}</p>}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="row3">
            <label>
              {t.name}
              <input name="name" required maxLength={100} value={d.name} onInput={(e) => patch({ name: e.currentTarget.value })} />
            </label>
            <label>
              {t.kind}
              <select value={k} onChange={(e) => patch({ kind: e.currentTarget.value as ActionKind })}>
                {ActionKind.options.map((x) => (
                  <option value={x}>{t.kinds[x]}</option>
                ))}
              </select>
            </label>
            <label title={t.priorityHelp}>
              {t.priority}
              <input type="number" min={0} max={1000} value={d.priority} onInput={(e) => patch({ priority: Number(e.currentTarget.value) })} />
            </label>
          </div>

          <h3>{t.when}</h3>
          <Group node={tree} t={t} onChange={setTree} root />

          <h3>{t.variants}</h3>
          <div class="tabs">
            {variants.map((x, i) => (
              <button type="button" class={i === variant ? 'on' : ''} onClick={() => setVariant(i)}>
                {x.key} · {x.weight}
              </button>
            ))}
            {variants.length < 5 && (
              <button type="button" class="ghost" onClick={() => (patch({ variants: [...variants, { key: String.fromCharCode(65 + variants.length), weight: 1, content: structuredClone(content) }] }), setVariant(variants.length))}>
                {t.addVariant}
              </button>
            )}
          </div>
          <div class="row3">
            <label>
              {t.variant}
              <input value={v.key} maxLength={20} onInput={(e) => patch({ variants: variants.map((x, i) => (i === variant ? { ...x, key: e.currentTarget.value } : x)) })} />
            </label>
            <label>
              {t.weight}
              <input type="number" min={1} max={100} value={v.weight} onInput={(e) => patch({ variants: variants.map((x, i) => (i === variant ? { ...x, weight: Number(e.currentTarget.value) } : x)) })} />
            </label>
            {variants.length > 1 && (
              <button type="button" class="ghost danger" onClick={() => (patch({ variants: variants.filter((_, i) => i !== variant) }), setVariant(0))}>
                {t.remove}
              </button>
            )}
          </div>
          {k !== 'invite' && field(t.title, 'title')}
          {field(t.text, 'text', true)}
          {k === 'coupon' && (
            <label>
              {t.code}
              <input name="code" value={content.code} maxLength={40} onInput={(e) => setContent({ code: e.currentTarget.value })} />
            </label>
          )}
          {(k === 'coupon' || k === 'article' || k === 'media') && (
            <label>
              {t.url}
              <input name="url" type="url" value={content.url} onInput={(e) => setContent({ url: e.currentTarget.value })} />
            </label>
          )}
          {(k === 'article' || k === 'media') && (
            <label>
              {t.imageUrl}
              <input name="imageUrl" type="url" value={content.imageUrl} onInput={(e) => setContent({ imageUrl: e.currentTarget.value })} />
            </label>
          )}
          {k === 'media' && (
            <label>
              {t.videoUrl}
              <input name="videoUrl" type="url" value={content.videoUrl} onInput={(e) => setContent({ videoUrl: e.currentTarget.value })} />
            </label>
          )}
          {k !== 'invite' && field(t.button, 'button')}
          {k === 'invite' && field(t.button, 'button')}
          {k === 'lead_form' && field(t.consent, 'consent')}
          {k === 'invite' && (
            <label class="check">
              <input type="checkbox" checked={content.asOperator} onChange={(e) => setContent({ asOperator: e.currentTarget.checked })} /> {t.asOperator}
            </label>
          )}

          <h3>{t.controls}</h3>
          <div class="row3">
            <label>
              {t.repeat}
              <select value={controls.repeat} onChange={(e) => patch({ controls: { ...controls, repeat: e.currentTarget.value as 'session' } })}>
                {Object.entries(t.repeats).map(([x, label]) => (
                  <option value={x}>{label}</option>
                ))}
              </select>
            </label>
            <label>
              {t.cooldownMinutes}
              <input type="number" min={0} value={controls.cooldownMinutes} onInput={(e) => patch({ controls: { ...controls, cooldownMinutes: Number(e.currentTarget.value) } })} />
            </label>
            <label>
              {t.schedule}
              <select value={controls.schedule} onChange={(e) => patch({ controls: { ...controls, schedule: e.currentTarget.value as 'always' } })}>
                {Object.entries(t.schedules).map(([x, label]) => (
                  <option value={x}>{label}</option>
                ))}
              </select>
            </label>
            <label>
              {t.holdoutPercent}
              <input type="number" min={0} max={50} value={controls.holdoutPercent} onInput={(e) => patch({ controls: { ...controls, holdoutPercent: Number(e.currentTarget.value) } })} />
            </label>
            <label>
              {t.expiresSeconds}
              <input type="number" min={10} max={3600} value={controls.expiresSeconds} onInput={(e) => patch({ controls: { ...controls, expiresSeconds: Number(e.currentTarget.value) } })} />
            </label>
            {k === 'invite' && (
              <label class="check">
                <input type="checkbox" checked={controls.needsOperator} onChange={(e) => patch({ controls: { ...controls, needsOperator: e.currentTarget.checked } })} /> {t.needsOperator}
              </label>
            )}
          </div>
          {k === 'invite' && (
            <div class="row3">
              <label>
                {t.routeDepartment}
                <input placeholder="sales" value={d.department ?? ''} onInput={(e) => patch({ department: e.currentTarget.value.trim().toLowerCase() || null })} />
              </label>
              <label>
                {t.routePriority}
                <input type="number" min={0} max={10} value={d.routePriority ?? 0} onInput={(e) => patch({ routePriority: Number(e.currentTarget.value) })} />
              </label>
            </div>
          )}
          <div class="row3">
            <label title={t.goalHelp}>
              {t.goal}
              <input placeholder="purchase" value={d.goal?.event ?? ''} onInput={(e) => patch({ goal: e.currentTarget.value ? { event: e.currentTarget.value, windowHours: d.goal?.windowHours ?? 24 } : null })} />
            </label>
            {d.goal && (
              <label>
                {t.windowHours}
                <input type="number" min={1} max={720} value={d.goal.windowHours ?? 24} onInput={(e) => patch({ goal: { ...d.goal!, windowHours: Number(e.currentTarget.value) } })} />
              </label>
            )}
          </div>
          <p class="muted small">{t.goalHelp}</p>
        </div>
        <aside class="rule-preview">
          <div class="page-head">
            <h3>{t.preview}</h3>
            <div class="spacer" />
            <div class="tabs">
              {(['en', 'ru'] as const).map((l) => (
                <button type="button" class={previewLang === l ? 'on' : ''} onClick={() => setPreviewLang(l)}>
                  {l.toUpperCase()}
                </button>
              ))}
            </div>
          </div>
          <Preview kind={k} content={content} lang={previewLang} />
          <p class="muted small">{t.previewNote}</p>
        </aside>
      </form>
    </section>
  );
}

/** The widget's own OfferCard, in a shadow root with the widget's styles. */
function Preview({ kind, content, lang }: { kind: ActionKind; content: OfferContent; lang: Lang }) {
  const host = useRef<HTMLDivElement>(null);
  const s = useConsole();
  const [site, setSite] = useState<{ color: string; teamName: string; avatarUrl: string; defaultLang: Lang } | null>(null);
  useEffect(() => {
    void api<{ appearance: { color: string; teamName: string; avatarUrl: string }; defaultLang: Lang }>('GET', `/api/sites/${s.siteId}`).then((x) => setSite({ ...x.appearance, defaultLang: x.defaultLang }));
  }, [s.siteId]);
  useEffect(() => {
    const el = host.current;
    if (!el || !site) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    if (!root.querySelector('style')) {
      const style = document.createElement('style');
      // a shadow root still inherits the console's text styles: start from the initial ones, as the widget does
      style.textContent = `:host{all:initial;display:block}${OFFER_CSS}`;
      root.appendChild(style);
    }
    let mount = root.querySelector('div');
    if (!mount) root.appendChild((mount = document.createElement('div')));
    const pick = (x: { en: string; ru: string }) => x[lang] || x[site.defaultLang] || x.en || x.ru;
    const offer: OfferView = {
      id: 'preview-offer-0000',
      kind,
      title: pick(content.title),
      text: pick(content.text),
      code: content.code,
      url: content.url,
      button: pick(content.button),
      imageUrl: content.imageUrl,
      videoUrl: content.videoUrl,
      consent: pick(content.consent),
      operator: kind === 'invite' && content.asOperator ? { name: s.me!.account.name, avatarUrl: site.avatarUrl } : null,
      expiresAt: 0,
    };
    const none = () => {};
    render(<OfferCard inline offer={offer} lang={lang} color={site.color} position="right" teamName={site.teamName} onDismiss={none} onAccept={none} onLead={async () => null} onCallback={async () => null} />, mount);
  });
  return <div class="preview-host" ref={host} />;
}

function Group({ node, t, onChange, root, onRemove }: { node: Node; t: T; onChange: (n: Node) => void; root?: boolean; onRemove?: () => void }) {
  const setItem = (i: number, n: Node) => onChange({ ...node, items: node.items.map((x, j) => (j === i ? n : x)) });
  const removeItem = (i: number) => onChange({ ...node, items: node.items.filter((_, j) => j !== i) });
  return (
    <div class={`cond-group${root ? ' root' : ''}`}>
      <div class="cond-head">
        {!root && (
          <label class="check">
            <input type="checkbox" checked={node.neg} onChange={(e) => onChange({ ...node, neg: e.currentTarget.checked })} /> {t.not}
          </label>
        )}
        <select aria-label={t.when} value={node.mode} onChange={(e) => onChange({ ...node, mode: e.currentTarget.value as 'all' | 'any' })}>
          <option value="all">{t.all}</option>
          <option value="any">{t.any}</option>
        </select>
        <div class="spacer" />
        {onRemove && (
          <button type="button" class="ghost small" onClick={onRemove}>
            {t.remove}
          </button>
        )}
      </div>
      {node.items.map((n, i) =>
        n.group ? (
          <Group node={n} t={t} onChange={(x) => setItem(i, x)} onRemove={() => removeItem(i)} />
        ) : (
          <LeafRow node={n} t={t} onChange={(x) => setItem(i, x)} onRemove={() => removeItem(i)} />
        ),
      )}
      <div class="cond-add">
        <button type="button" class="ghost small" onClick={() => onChange({ ...node, items: [...node.items, { neg: false, group: false, mode: 'all', items: [], leaf: defaultLeaf() }] })}>
          {t.addCondition}
        </button>
        <button type="button" class="ghost small" onClick={() => onChange({ ...node, items: [...node.items, { neg: false, group: true, mode: 'any', items: [{ neg: false, group: false, mode: 'all', items: [], leaf: defaultLeaf() }], leaf: defaultLeaf() }] })}>
          {t.addGroup}
        </button>
      </div>
    </div>
  );
}

function LeafRow({ node, t, onChange, onRemove }: { node: Node; t: T; onChange: (n: Node) => void; onRemove: () => void }) {
  const l = node.leaf;
  const type = FACTS[l.fact];
  const ops = OPS_BY_TYPE[type];
  const setLeaf = (p: Partial<Leaf>) => onChange({ ...node, leaf: { ...l, ...p } });
  const numeric = type === 'number' || type === 'time' || type === 'clock';
  const valueText = Array.isArray(l.value) ? l.value.join(', ') : l.value === undefined ? '' : String(l.value);
  const parseValue = (raw: string, op: Op): Leaf['value'] => {
    if (op === 'in') return raw.split(',').map((x) => x.trim()).filter(Boolean).map((x) => (numeric && x !== '' && !Number.isNaN(Number(x)) ? Number(x) : x));
    if (numeric) return raw === '' ? undefined : Number(raw);
    if (type === 'value' && raw !== '' && !Number.isNaN(Number(raw))) return Number(raw);
    return raw;
  };
  const changeFact = (fact: Fact) => {
    const ft = FACTS[fact];
    const op = OPS_BY_TYPE[ft].includes(l.op) ? l.op : OPS_BY_TYPE[ft][0]!;
    const value = ft === 'boolean' ? true : ft === 'number' || ft === 'time' || ft === 'clock' ? 0 : '';
    onChange({ ...node, leaf: { fact, op, value: op === 'exists' ? undefined : value, ...(fact === 'event.prop' ? { key: l.key ?? '' } : {}) } });
  };
  return (
    <div class="cond-row">
      <label class="check">
        <input type="checkbox" checked={node.neg} onChange={(e) => onChange({ ...node, neg: e.currentTarget.checked })} /> {t.not}
      </label>
      <select aria-label="fact" value={l.fact} onChange={(e) => changeFact(e.currentTarget.value as Fact)}>
        {FACT_NAMES.map((f) => (
          <option value={f}>{t.facts[f] ?? f}</option>
        ))}
      </select>
      {l.fact === 'event.prop' && <input class="short" placeholder={t.key} value={l.key ?? ''} onInput={(e) => setLeaf({ key: e.currentTarget.value })} />}
      <select aria-label="operator" value={l.op} onChange={(e) => setLeaf({ op: e.currentTarget.value as Op, value: e.currentTarget.value === 'exists' ? undefined : l.value ?? '' })}>
        {ops.map((o) => (
          <option value={o}>{t.ops[o]}</option>
        ))}
      </select>
      {l.op !== 'exists' &&
        (type === 'boolean' ? (
          <select aria-label={t.value} value={String(l.value)} onChange={(e) => setLeaf({ value: e.currentTarget.value === 'true' })}>
            <option value="true">{t.yes}</option>
            <option value="false">{t.no}</option>
          </select>
        ) : (
          <input aria-label={t.value} type={numeric && l.op !== 'in' ? 'number' : 'text'} placeholder={l.op === 'in' ? t.listHelp : t.value} value={valueText} onInput={(e) => setLeaf({ value: parseValue(e.currentTarget.value, l.op) })} />
        ))}
      <button type="button" class="ghost small" aria-label={t.remove} onClick={onRemove}>
        ×
      </button>
    </div>
  );
}
