import { ApiFailure } from '../api/errors.js';
import type { FeatureKey, FeatureLabel, LabelEvent, LabelField, LabelPatch, LabelSource } from '../api/types.js';
import type { Database } from './database.js';
import { assertFeatureIndex } from '../api/feature-key.js';
import { writeSearchLabel } from './feature-search.js';
import { checkAuthor, checkLabel, checkNotes, checkTags } from './label-values.js';

/**
 * Labels, notes and tags: what people write about features. Every change is an event in
 * `label_events` (who, when, old → new); undo writes the inverse of an earlier action as a new
 * action, so history only grows. Re-indexing never touches these tables.
 */

export type { FeatureLabel, LabelEvent, LabelField, LabelPatch, LabelSource };

export interface LabelWriteMeta {
  author: string;
  at?: string;
  source?: Exclude<LabelSource, 'undo'>;
}

interface LabelRow {
  feature: number;
  label: string;
  notes: string;
  updated_at: string;
  updated_by: string;
}

/** A label_events row: the contract's LabelEvent with its feature key in two columns. */
type EventRow = Omit<LabelEvent, 'key'> & { sae_id: string; feature: number };

function eventFromRow(row: EventRow): LabelEvent {
  return {
    id: row.id,
    action: row.action,
    key: { saeId: row.sae_id, index: row.feature },
    field: row.field,
    old: row.old,
    new: row.new,
    author: row.author,
    at: row.at,
    source: row.source,
    undoes: row.undoes,
  };
}

function eventToRow(event: LabelEvent): EventRow {
  return {
    id: event.id,
    action: event.action,
    sae_id: event.key.saeId,
    feature: event.key.index,
    field: event.field,
    old: event.old,
    new: event.new,
    author: event.author,
    at: event.at,
    source: event.source,
    undoes: event.undoes,
  };
}

type LabelState = Pick<FeatureLabel, 'label' | 'notes' | 'tags'>;

/** The events that turn `from` into `to`, in a fixed order (label, notes, removed tags, added tags). */
function diff(from: LabelState, to: LabelState): { field: LabelField; old: string | null; new: string | null }[] {
  const changes: { field: LabelField; old: string | null; new: string | null }[] = [];
  if (from.label !== to.label) changes.push({ field: 'label', old: from.label, new: to.label });
  if (from.notes !== to.notes) changes.push({ field: 'notes', old: from.notes, new: to.notes });
  for (const tag of from.tags) if (!to.tags.includes(tag)) changes.push({ field: 'tag', old: tag, new: null });
  for (const tag of to.tags) if (!from.tags.includes(tag)) changes.push({ field: 'tag', old: null, new: tag });
  return changes;
}

/** Reads and writes feature_labels, feature_tags and label_events, and keeps their search text current. */
export class LabelsStore {
  constructor(private readonly db: Database) {}

  get(key: FeatureKey): FeatureLabel {
    const row = this.db.get<LabelRow>(
      'SELECT feature, label, notes, updated_at, updated_by FROM feature_labels WHERE sae_id = ? AND feature = ?',
      [key.saeId, key.index],
    );
    const tags = this.db
      .all<{ tag: string }>('SELECT tag FROM feature_tags WHERE sae_id = ? AND feature = ? ORDER BY tag', [key.saeId, key.index])
      .map((r) => r.tag);
    return {
      key,
      label: row?.label ?? '',
      notes: row?.notes ?? '',
      tags,
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
    };
  }

  /** Every feature of the SAE that has a label, notes or tags, by index. */
  listForSae(saeId: string): FeatureLabel[] {
    const tags = new Map<number, string[]>();
    for (const r of this.db.all<{ feature: number; tag: string }>(
      'SELECT feature, tag FROM feature_tags WHERE sae_id = ? ORDER BY feature, tag',
      [saeId],
    )) {
      tags.set(r.feature, [...(tags.get(r.feature) ?? []), r.tag]);
    }
    return this.db
      .all<LabelRow>('SELECT feature, label, notes, updated_at, updated_by FROM feature_labels WHERE sae_id = ? ORDER BY feature', [saeId])
      .map((r) => ({
        key: { saeId, index: r.feature },
        label: r.label,
        notes: r.notes,
        tags: tags.get(r.feature) ?? [],
        updatedAt: r.updated_at,
        updatedBy: r.updated_by,
      }))
      .filter((l) => l.label !== '' || l.notes !== '' || l.tags.length > 0);
  }

  /** Applies `patch`; returns the new label and the action id (null when nothing changed). */
  set(key: FeatureKey, patch: LabelPatch, meta: LabelWriteMeta): { label: FeatureLabel; action: number | null } {
    const author = checkAuthor(meta.author);
    const next = {
      label: patch.label === undefined ? undefined : checkLabel(patch.label),
      notes: patch.notes === undefined ? undefined : checkNotes(patch.notes),
      tags: patch.tags === undefined ? undefined : checkTags(patch.tags),
    };
    return this.db.transaction(() => {
      this.#assertKnownFeature(key);
      const current = this.get(key);
      const target = { label: next.label ?? current.label, notes: next.notes ?? current.notes, tags: next.tags ?? current.tags };
      const action = this.#commit(key, current, target, {
        author,
        at: meta.at ?? new Date().toISOString(),
        source: meta.source ?? 'edit',
        undoes: null,
      });
      return { label: action === null ? current : this.get(key), action };
    });
  }

  /**
   * Applies patches to several features of one SAE in one transaction: all of them, or none. A
   * failing patch rolls everything back and is rethrown as `named(index, error)`. Returns how many
   * patches changed something.
   */
  setMany(
    saeId: string,
    patches: readonly { index: number; patch: LabelPatch }[],
    meta: LabelWriteMeta,
    named: (index: number, error: Error) => Error,
  ): number {
    return this.db.transaction(() => {
      let changed = 0;
      for (const { index, patch } of patches) {
        try {
          if (this.set({ saeId, index }, patch, meta).action !== null) changed++;
        } catch (error) {
          throw named(index, error as Error);
        }
      }
      return changed;
    });
  }

  /**
   * Undoes the newest action on one feature (or, without `index`, on any feature of the SAE) that
   * is not an undo and has not been undone: repeated undos walk back through history.
   */
  undo(target: { saeId: string; index?: number }, meta: { author: string; at?: string }): { undone: number; label: FeatureLabel } | null {
    const author = checkAuthor(meta.author);
    return this.db.transaction(() => {
      const featureClause = target.index === undefined ? '' : 'AND feature = ?';
      const params = target.index === undefined ? [target.saeId] : [target.saeId, target.index];
      const found = this.db.get<{ action: number }>(
        `SELECT action FROM label_events e WHERE sae_id = ? ${featureClause} AND source <> 'undo'
           AND NOT EXISTS (SELECT 1 FROM label_events u WHERE u.undoes = e.action)
         ORDER BY id DESC LIMIT 1`,
        params,
      );
      if (!found) return null;
      const events = this.db.all<EventRow>('SELECT * FROM label_events WHERE action = ? ORDER BY id', [found.action]).map(eventFromRow);
      const key = events[0].key;
      const current = this.get(key);
      const state: LabelState = { label: current.label, notes: current.notes, tags: [...current.tags] };
      for (const e of [...events].reverse()) {
        if (e.field === 'label') state.label = e.old ?? '';
        else if (e.field === 'notes') state.notes = e.old ?? '';
        else if (e.new !== null) state.tags = state.tags.filter((t) => t !== e.new);
        else if (e.old !== null && !state.tags.includes(e.old)) state.tags = [...state.tags, e.old].sort();
      }
      this.#commit(key, current, state, { author, at: meta.at ?? new Date().toISOString(), source: 'undo', undoes: found.action });
      return { undone: found.action, label: this.get(key) };
    });
  }

  /** Events newest first: one feature's, or the whole SAE's; `beforeId` pages further back. */
  history(query: { saeId: string; index?: number; limit?: number; beforeId?: number }): LabelEvent[] {
    const limit = Math.min(Math.max(1, query.limit ?? 100), 10_000);
    const before = query.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows =
      query.index === undefined
        ? this.db.all<EventRow>('SELECT * FROM label_events WHERE sae_id = ? AND id < ? ORDER BY id DESC LIMIT ?', [
            query.saeId,
            before,
            limit,
          ])
        : this.db.all<EventRow>('SELECT * FROM label_events WHERE sae_id = ? AND feature = ? AND id < ? ORDER BY id DESC LIMIT ?', [
            query.saeId,
            query.index,
            before,
            limit,
          ]);
    return rows.map(eventFromRow);
  }

  /** Writes the events from `current` to `target`, then the new state and its search text. */
  #commit(
    key: FeatureKey,
    current: LabelState,
    target: LabelState,
    meta: { author: string; at: string; source: LabelSource; undoes: number | null },
  ): number | null {
    const changes = diff(current, target);
    if (changes.length === 0) return null;
    // Explicit ids: the action is its first event's id, known before any row is written.
    const first = this.db.get<{ next: number }>('SELECT coalesce(max(id), 0) + 1 AS next FROM label_events')?.next ?? 1;
    changes.forEach((c, i) => {
      const event: LabelEvent = {
        id: first + i,
        action: first,
        key,
        field: c.field,
        old: c.old,
        new: c.new,
        author: meta.author,
        at: meta.at,
        source: meta.source,
        undoes: meta.undoes,
      };
      this.db.run(
        'INSERT INTO label_events (id, action, sae_id, feature, field, old, new, author, at, source, undoes) VALUES (@id, @action, @sae_id, @feature, @field, @old, @new, @author, @at, @source, @undoes)',
        eventToRow(event),
      );
      if (c.field !== 'tag') return;
      if (c.new === null)
        this.db.run('DELETE FROM feature_tags WHERE sae_id = ? AND feature = ? AND tag = ?', [key.saeId, key.index, c.old]);
      else this.db.run('INSERT INTO feature_tags (sae_id, feature, tag) VALUES (?, ?, ?)', [key.saeId, key.index, c.new]);
    });
    this.db.run(
      `INSERT INTO feature_labels (sae_id, feature, label, notes, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sae_id, feature) DO UPDATE SET label = excluded.label, notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [key.saeId, key.index, target.label, target.notes, meta.at, meta.author],
    );
    writeSearchLabel(this.db, key, target);
    return first;
  }

  #assertKnownFeature(key: FeatureKey): void {
    assertFeatureIndex(key.index);
    const sae = this.db.get<{ d_sae: number }>('SELECT d_sae FROM saes WHERE id = ?', [key.saeId]);
    if (!sae) throw new ApiFailure('not_found', `no SAE "${key.saeId}" in this workspace`, 'saeId');
    if (key.index >= sae.d_sae)
      throw new ApiFailure('not_found', `SAE "${key.saeId}" has ${sae.d_sae} features; there is no feature ${key.index}`, 'index');
  }
}
