import { describe, expect, it } from 'vitest';
import type { PathGrant } from '../../../native/api/types.js';
import { PathGrants } from '../../../native/host/path-grants.js';
import { chosenPath, composeCorpusSpec, corpusFormatOf, editChosen } from '../../../renderer/src/lib/paths/path-spec.js';

// The grants come from the real grant table the desktop app's main process keeps, and every spec the
// form composes is checked against its resolve(): what the form sends must be what the host accepts.
const table = new PathGrants();
const file = (path: string): PathGrant => {
  const g = table.grant(path, 'file');
  return { grant: g.id, path: g.path, kind: g.kind };
};

describe('corpus specs composed by path fields', () => {
  it('corpusFormatOf reads the format from the file name', () => {
    expect(corpusFormatOf('/data/notes.txt')).toBe('text');
    expect(corpusFormatOf('/data/pile.JSONL')).toBe('jsonl');
    expect(corpusFormatOf('/data/c4.json')).toBe('jsonl');
    expect(corpusFormatOf('/data/fineweb.parquet')).toBe('parquet');
    expect(corpusFormatOf('/data/folder')).toBe('text');
  });

  it('composeCorpusSpec adds a #field only to jsonl and parquet and refuses a field with # or /', () => {
    expect(composeCorpusSpec('text', 'grant:00', 'body')).toBe('text:grant:00');
    expect(composeCorpusSpec('jsonl', 'grant:00', '#text')).toBe('jsonl:grant:00#text');
    expect(composeCorpusSpec('parquet', '/d/x.parquet', 'content')).toBe('parquet:/d/x.parquet#content');
    expect(composeCorpusSpec('jsonl', 'grant:00')).toBe('jsonl:grant:00');
    expect(() => composeCorpusSpec('jsonl', 'grant:00', 'a/b')).toThrow('cannot contain');
  });

  it('a chosen file is sent as its grant in the right format and shown as its path; the host swaps the grant back', () => {
    const grant = file('/home/me/corpus/pile.jsonl');
    const chosen = chosenPath(grant, true);
    expect(chosen.shown).toBe('jsonl:/home/me/corpus/pile.jsonl');
    expect(chosen.sent).toBe(`jsonl:${grant.grant}`);
    const resolved = table.resolve('index.start', { saeId: 's', corpus: chosen.sent });
    expect(resolved).toEqual({ ok: true, params: { saeId: 's', corpus: 'jsonl:/home/me/corpus/pile.jsonl' } });
  });

  it('typing #field after a chosen path keeps the grant; any other edit makes it a typed path, which the desktop refuses', () => {
    const grant = file('/data/fineweb.parquet');
    const chosen = chosenPath(grant, true);
    const withField = editChosen(chosen, `${chosen.shown}#content`, true);
    expect(withField).toBe(`parquet:${grant.grant}#content`);
    expect(table.resolve('train.start', { corpus: withField })).toEqual({
      ok: true,
      params: { corpus: 'parquet:/data/fineweb.parquet#content' },
    });
    // Editing the field again replaces it rather than stacking a second one.
    expect(editChosen({ sent: withField ?? '', shown: `${chosen.shown}#content` }, `${chosen.shown}#text`, true)).toBe(
      `parquet:${grant.grant}#text`,
    );
    expect(editChosen(chosen, 'parquet:/data/other.parquet', true)).toBeNull();
    expect(editChosen(chosen, `${chosen.shown}/../../etc/passwd`, true)).toBeNull();
    expect(table.resolve('train.start', { corpus: 'parquet:/data/other.parquet' }).ok).toBe(false);
  });

  it('a plain path field sends the bare grant and keeps it only while the shown path is unchanged', () => {
    const folder = table.grant('/models/gpt2', 'folder');
    const chosen = chosenPath({ grant: folder.id, path: folder.path, kind: 'folder' }, false);
    expect(chosen).toEqual({ sent: folder.id, shown: '/models/gpt2' });
    expect(editChosen(chosen, '/models/gpt2', false)).toBe(folder.id);
    expect(editChosen(chosen, '/models/gpt2#x', false)).toBeNull();
    expect(table.resolve('models.add', { path: chosen.sent })).toEqual({ ok: true, params: { path: '/models/gpt2' } });
  });
});
