// The one typed wrapper around Tauri's `invoke`: every call the UI makes goes through here.
//
// Edits go through a queue, one at a time and in order, so a later keystroke never lands
// before an earlier one. While an edit of a text field waits its turn, a newer value of the
// same field replaces it (only the latest text matters). `save.state` is what the "saved"
// badge shows: "saved" only once every edit sent has come back durable.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  BlockView,
  VoiceAnswerView,
  EnrolmentView,
  ClassCard,
  DocumentEvent,
  Edit,
  ErrorCode,
  ExportDone,
  ExportFormat,
  ExportProgress,
  Launch,
  ProjectSummary,
  ProjectView,
  SyncView,
  DashboardView,
  FeedbackView,
  ReviewEdit,
  ClassEdit,
  Library,
  Template,
} from './bindings';

/** A failed call, as the shell reports it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function asAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return new AppError((e as { code: ErrorCode }).code, String((e as { message: unknown }).message));
  }
  return new AppError('internal', String(e));
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asAppError(e);
  }
}

export const api = {
  /** `text` spoken by the device's offline engine in `language`: a WAV file's bytes. */
  readAloud: (text: string, language: string) =>
    call<ArrayBuffer>('read_aloud', { text, language }),
  classes: () => call<ClassCard[]>('classes'),
  loadSampleClass: () => call<ClassCard[]>('load_sample_class'),
  openGroup: (klass: string, group: string, pin: string | null) =>
    call<ProjectSummary[]>('open_group', { class: klass, group, pin }),
  peerProjects: (klass: string, group: string) =>
    call<ProjectSummary[]>('peer_projects', { class: klass, group }),
  startProject: (klass: string, group: string, title: string) =>
    call<ProjectView>('start_project', { class: klass, group, title }),
  project: (id: string) => call<ProjectView>('project', { id }),
  syncStatus: () => call<SyncView>('sync_status'),
  pauseMedia: () => call<void>('pause_media'),
  dashboard: (klass: string, today: string) =>
    call<DashboardView>('dashboard', { class: klass, today }),
  feedback: (project: string) => call<FeedbackView>('feedback', { project }),
  reviewProject: (project: string, edit: ReviewEdit) =>
    call<void>('review_project', { project, edit }),
  addGoalToAll: (klass: string, text: string) =>
    call<number>('add_goal_to_all', { class: klass, text }),
  /** Teacher's device: the starter library in `language`. */
  starterLibrary: (language: string) => call<Library>('starter_library', { language }),
  libraryTemplate: (id: string, language: string) =>
    call<Template>('library_template', { id, language }),
  /** To one group's project (`group`), or every group's (null); how many got it. */
  applyTemplate: (klass: string, template: Template, group: string | null) =>
    call<number>('apply_template', { class: klass, template, group }),
  templateOfProject: (project: string, name: string) =>
    call<Template>('template_of_project', { project, name }),
  /** Resolves with the written file's path. */
  saveTemplate: (template: Template) => call<string>('save_template', { template }),
  /** A code another teacher's device takes `template` with; until when it is open (ms). */
  shareTemplate: (template: Template) =>
    call<{ code: string; expires_at: number }>('share_template', { template }),
  /** The template another teacher's device shares under `code`, checked, to accept. */
  receiveTemplate: (code: string, address: string | null) =>
    call<Template>('receive_template', { code, address }),
  /** A template file's text, checked by the app. */
  readTemplate: (text: string) => call<Template>('read_template', { text }),
  revokeDevice: (klass: string, device: string) =>
    call<void>('revoke_device', { class: klass, device }),
  editClass: (klass: string, edit: ClassEdit) => call<void>('edit_class', { class: klass, edit }),
  createClass: (name: string, groups: string[]) => call<void>('create_class', { name, groups }),
  /** Teacher's device: let a tablet of `group` (a group's name; null: a teacher device) in. */
  enrolTablet: (klass: string, group: string | null) =>
    call<EnrolmentView>('enrol_tablet', { class: klass, group }),
  /** Teacher's device, after the export: every tablet deletes the class as it syncs. */
  endTerm: (klass: string) => call<void>('end_term', { class: klass }),
  /** Teacher's device, last: delete the class here too. */
  leaveClass: (klass: string) => call<void>('leave_class', { class: klass }),
  /** A tablet with no class: join with the code typed from the teacher's screen. */
  joinClass: (code: string, address: string | null) =>
    call<string>('join_class', { code, address }),
  /** A tablet with no class: a camera frame (grey bytes); the class's name once joined. */
  async scanEnrolment(width: number, height: number, grey: Uint8Array): Promise<string | null> {
    try {
      return await invoke<string | null>('scan_enrolment', grey, {
        headers: { 'x-width': String(width), 'x-height': String(height) },
      });
    } catch (e) {
      throw asAppError(e);
    }
  },
  resumeMedia: () => call<void>('resume_media'),
  async addMedia(project: string, page: string, file: File): Promise<BlockView> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return rawCall('add_media', bytes, {
      'x-project': project,
      'x-page': page,
      'x-name': encodeURIComponent(file.name || 'file'),
    });
  },
  /** A recording kept as the spoken answer to a text field (`phenomenon.title`…). */
  async addVoiceAnswer(project: string, field: string, file: File): Promise<VoiceAnswerView> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return rawCall<VoiceAnswerView>('add_voice_answer', bytes, {
      'x-project': project,
      'x-field': field,
      'x-name': encodeURIComponent(file.name || 'recording'),
    });
  },
  addDrawing: (project: string, page: string, png: Uint8Array) =>
    rawCall('add_drawing', png, { 'x-project': project, 'x-page': page }),
  closeNow: () => call<void>('close_now'),
  launch: () => call<Launch>('launch'),
  /** Resolves with the written file's path. */
  exportProject: (project: string, format: ExportFormat) =>
    call<ExportDone>('export_project', { project, format }),
  cancelExport: () => call<void>('cancel_export'),
  /** The whole class (teacher's device); resolves with the written file's path. */
  exportClass: (klass: string, format: ExportFormat, feedback: boolean) =>
    call<ExportDone>('export_class', { class: klass, format, feedback }),
};

/** Calls `f` as an export moves on. */
export function onExportProgress(f: (p: ExportProgress) => void): Promise<UnlistenFn> {
  return listen<ExportProgress>('export-progress', (event) => f(event.payload));
}

let reported = false;

/** Tells the shell, once, that the first screen is on screen (start-up time in its log). */
export function firstScreenPainted(): void {
  if (reported) return;
  reported = true;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      invoke('ui_ready').catch(() => {});
    }),
  );
}

// Media and drawings on their way to the store: closing the window waits for them too.
const uploads = new Set<Promise<unknown>>();

async function rawCall<T = BlockView>(
  cmd: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<T> {
  save.pending += 1;
  const call = invoke<T>(cmd, body, { headers });
  uploads.add(call);
  try {
    return await call;
  } catch (e) {
    throw asAppError(e);
  } finally {
    uploads.delete(call);
    save.pending -= 1;
  }
}

export const save = $state<{ pending: number; error: AppError | null }>({
  pending: 0,
  error: null,
});

type Queued = { project: string; edit: Edit; key: string | null };
const queue: Queued[] = [];
let running: Promise<void> | null = null;
// The edit being sent right now: never replaced, or the newer text would be dropped with it.
let sending: Queued | null = null;

// Per text field, the base of a text edit that failed: the next edit of that field is typed on
// text that was never stored, so it goes on the failed edit's base instead.
const failed = new Map<string, string | undefined>();

/** Sends an edit after those before it; resolves once it is durable. */
export function edit(project: string, e: Edit): void {
  const key = e.op === 'set-text' ? project + JSON.stringify(e.field) : null;
  if (key && e.op === 'set-text' && failed.has(key)) {
    e = { ...e, base: failed.get(key) };
    failed.delete(key);
  }
  // Only the newest queued edit may absorb it: merging into an older one would move the text
  // ahead of edits made after it (a delete, an undo).
  const newest = queue.at(-1);
  const waiting = key && newest && newest !== sending && newest.key === key ? newest : null;
  if (waiting) {
    // The newest text, on the oldest base: the stored text is still what that base saw.
    const base = waiting.edit.op === 'set-text' ? waiting.edit.base : undefined;
    waiting.edit = e.op === 'set-text' && base !== undefined ? { ...e, base } : e;
  } else {
    queue.push({ project, edit: e, key });
    save.pending += 1;
  }
  running ??= drain();
}

async function drain() {
  while (queue.length > 0) {
    const next = queue[0];
    sending = next;
    try {
      await call<void>('edit_project', { id: next.project, edit: next.edit });
      save.error = null;
    } catch (e) {
      save.error = asAppError(e);
      // A refused edit (a removed item, a locked project) is dropped; the view reloads and
      // shows what is really stored. A text's next edit takes its base (see `failed`).
      if (next.key && next.edit.op === 'set-text') {
        const later = queue.slice(1).find((q) => q.key === next.key);
        if (later && later.edit.op === 'set-text') {
          later.edit = { ...later.edit, base: next.edit.base };
        } else {
          failed.set(next.key, next.edit.base);
        }
      }
    }
    queue.shift();
    sending = null;
    save.pending -= 1;
  }
  running = null;
}

/** Waits until every edit sent so far is on disk (before closing, before switching group). */
export async function flush(): Promise<void> {
  while (running || uploads.size > 0) {
    if (running) await running;
    await Promise.allSettled([...uploads]);
  }
}

/** Calls `f` whenever a document changes on disk (a local edit, or sync from a peer). */
export function onDocumentChanged(f: (e: DocumentEvent) => void): Promise<UnlistenFn> {
  return listen<DocumentEvent>('document-changed', (event) => f(event.payload));
}

/** The window's close button: finish saving, then close. */
export function onCloseRequested(): Promise<UnlistenFn> {
  return listen('close-requested', async () => {
    await flush();
    await api.closeNow();
  });
}

/** The address of a stored blob for an `<img>`, `<audio>` or `<video>`. */
export function mediaUrl(hash: string): string {
  const windowsLike = /Windows|Android/.test(globalThis.navigator?.userAgent ?? '');
  return windowsLike ? `http://media.localhost/${hash}` : `media://localhost/${hash}`;
}

/** Where the app serves sound and video (its loopback server), once it has said. */
const media = $state<{ base: string | null }>({ base: null });
call<string | null>('media_base')
  .then((base) => {
    media.base = base;
  })
  .catch(() => {});

/**
 * The address of a stored sound or video for `<audio>` / `<video>`: the app's loopback
 * server, since WebKitGTK's media player cannot read the `media:` scheme; `mediaUrl` until
 * the app has said where (or if it could not start one).
 */
export function streamUrl(hash: string): string {
  return media.base ? `${media.base}${hash}` : mediaUrl(hash);
}

/** A new id for an item the UI adds. */
export const newId = (): string => crypto.randomUUID();

