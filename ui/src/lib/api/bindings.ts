// Generated from Rust by `crates/app/src/api/bindings.rs`. Do not edit by hand:
// UPDATE_BINDINGS=1 cargo test -p hugme-app bindings

export type Step = "agreement" | "phenomenon" | "subjects" | "goals" | "research-questions" | "tools" | "content" | "sharing";

export type StepState = "not-started" | "in-progress" | "done";

export type Approval = "not-reviewed" | "returned-for-revision" | "approved";

export type Todo = "add-rule" | "choose-roles" | "name-phenomenon" | "say-why" | "add-subject" | "add-goal" | "add-question" | "write-findings" | "add-tool" | "add-page" | "add-content" | "plan-presentation" | "reflect" | "give-feedback";

export type StepView = { step: Step, state: StepState, todo: Array<Todo>, };

export type EnrolmentView = { 
/**
 * The device's name in the class list ("Kettu tablet").
 */
device_name: string, 
/**
 * "12 345 678": typed on the tablet.
 */
code: string, code_expires_at: number, 
/**
 * The QR code of the whole invitation, as SVG.
 */
qr_svg: string, 
/**
 * Where the tablet will look for this device (host:port); empty when it is offline.
 */
addresses: Array<string>, };

export type ClassCard = { id: string, name: string, 
/**
 * The class's language setting (`fi` or `en`): the app's language until a pupil switches.
 */
language: string, groups: Array<GroupCard>, };

export type GroupCard = { id: string, name: string, colour: string, avatar: string, 
/**
 * Whether the teacher set a PIN (the PIN itself never reaches the UI).
 */
has_pin: boolean, members: Array<MemberView>, };

export type MemberView = { id: string, name: string, 
/**
 * Shown to other groups and in exports by the group's name only.
 */
protected_identity: boolean, };

export type ProjectSummary = { id: string, title: string, group_id: string, group_name: string, steps: Array<StepView>, };

export type ProjectView = { id: string, class_id: string, group_id: string, title: string, steps: Array<StepView>, agreement: AgreementView, phenomenon: PhenomenonView, subjects: Array<SubjectView>, goals: Array<GoalView>, questions: Array<QuestionView>, tools: Array<ToolView>, pages: Array<PageView>, sharing: SharingView, 
/**
 * From the teacher's review: a locked project is shown read-only.
 */
locked: boolean, approval: Approval, 
/**
 * The group has asked the teacher for help.
 */
hand_raised: boolean, 
/**
 * Spoken answers to its text fields (`hugme_model::VoiceAnswer::field` names each).
 */
voice_answers: Array<VoiceAnswerView>, 
/**
 * The template the teacher gave the group: prompts for step 5, ideas for step 7.
 */
template: AppliedTemplateView | null, };

export type AgreementView = { roles: Array<RoleView>, rules: Array<ItemView>, check_ins: Array<CheckInView>, };

export type RoleView = { member_id: string, role: string, };

export type ItemView = { id: string, text: string, };

export type CheckInView = { id: string, date: string, member_id: string | null, mood: string, note: string, };

export type PhenomenonView = { title: string, why: string, };

export type SubjectView = { id: string, name: string, how: string, };

export type GoalView = { id: string, text: string, set_by_teacher: boolean, reached: boolean, };

export type QuestionView = { id: string, question: string, notes: string, sources: Array<ItemView>, findings: string, };

export type ToolView = { id: string, name: string, purpose: string, };

export type PageView = { id: string, title: string, blocks: Array<BlockView>, };

export type BlockView = { "kind": "text", id: string, text: string, } | { "kind": "photo", id: string, media: MediaView, } | { "kind": "drawing", id: string, media: MediaView, } | { "kind": "audio", id: string, media: MediaView, } | { "kind": "video", id: string, media: MediaView, };

export type MediaView = { hash: string, mime: string, size: number, width: number | null, height: number | null, caption: string, thumbnail: string | null, preview: string | null, };

export type VoiceAnswerView = { field: string, audio: MediaView, };

export type AppliedTemplateView = { name: string, summary: string, prompts: Array<string>, content_ideas: Array<string>, };

export type Template = { 
/**
 * What the teacher calls it ("Snow and ice, 2nd grade").
 */
name: string, 
/**
 * The language its texts are in (one of [`crate::class::LANGUAGES`]).
 */
language: string, 
/**
 * The phenomenon, as a group's step 2 title.
 */
phenomenon: string, 
/**
 * A word for the teacher: what it is about, how to begin.
 */
summary: string, 
/**
 * School subjects' names, as step 3 lists them.
 */
subjects: Array<string>, 
/**
 * Goals, added as the teacher's in step 4.
 */
goals: Array<string>, 
/**
 * Research-question prompts pupils see in step 5.
 */
prompts: Array<string>, 
/**
 * Ideas of content to make, shown in step 7.
 */
content_ideas: Array<string>, 
/**
 * Starter pages' titles, added empty in step 7.
 */
pages: Array<string>, 
/**
 * The starter library's phenomenon it came from, if any.
 */
library_id?: string, };

export type Library = { phenomena: Array<LibraryPhenomenon>, 
/**
 * Subject key → its name in this language.
 */
subjects: { [key in string]: string }, check_ins: Array<CheckInFormat>, roles: Array<RoleCard>, agreement_starters: Array<Starter>, feedback_starters: Array<Starter>, };

export type LibraryPhenomenon = { id: string, 
/**
 * "6-9", "10-12" or "13-15".
 */
ages: string, title: string, 
/**
 * For the teacher: what it is and how to begin.
 */
summary: string, 
/**
 * Subject keys (the app's list: `finnish`, `maths`, `environment`, …).
 */
subjects: Array<string>, goals: Array<string>, questions: Array<string>, content: Array<string>, };

export type CheckInFormat = { id: string, title: string, how: string, };

export type RoleCard = { id: string, title: string, does: string, };

export type Starter = { id: string, text: string, };

export type SharingView = { presentation: string, learned: string, went_well: string, do_differently: string, stars: number, peer_feedback: Array<PeerFeedbackView>, };

export type PeerFeedbackView = { id: string, about: string, text: string, stars: number, };

export type Edit = { "op": "set-text", field: TextField, text: string, base?: string, } | { "op": "set-step-state", step: Step, state: StepState, } | { "op": "add-rule", id: string, } | { "op": "add-check-in", id: string, date: string, member_id: string | null, mood: string, } | { "op": "add-subject", id: string, name: string, } | { "op": "add-goal", id: string, } | { "op": "set-goal-reached", id: string, reached: boolean, } | { "op": "add-question", id: string, } | { "op": "add-source", question_id: string, id: string, } | { "op": "add-tool", id: string, name: string, } | { "op": "add-page", id: string, } | { "op": "add-text-block", page_id: string, id: string, } | { "op": "move-block", page_id: string, id: string, to: number, } | { "op": "remove-block", page_id: string, id: string, } | { "op": "restore-block", page_id: string, index: number, block: BlockView, } | { "op": "set-stars", stars: number, } | { "op": "add-peer-feedback", id: string, about: string, } | { "op": "set-peer-stars", id: string, stars: number, } | { "op": "raise-hand", at: number | null, } | { "op": "remove-voice-answer", field: string, } | { "op": "remove", list: List, id: string, };

export type TextField = { "field": "title" } | { "field": "phenomenon-title" } | { "field": "phenomenon-why" } | { "field": "presentation" } | { "field": "learned" } | { "field": "went-well" } | { "field": "do-differently" } | { "field": "rule", id: string, } | { "field": "role", member_id: string, } | { "field": "check-in-note", id: string, } | { "field": "subject-how", id: string, } | { "field": "goal", id: string, } | { "field": "question", id: string, } | { "field": "question-notes", id: string, } | { "field": "question-findings", id: string, } | { "field": "source", question_id: string, id: string, } | { "field": "tool-purpose", id: string, } | { "field": "page-title", id: string, } | { "field": "block-text", page_id: string, id: string, } | { "field": "caption", page_id: string, id: string, } | { "field": "peer-feedback", id: string, };

export type List = "rules" | "check-ins" | "subjects" | "goals" | "questions" | "tools" | "pages" | "peer-feedback" | "sources";

export type ErrorCode = "not-found" | "wrong-pin" | "locked" | "not-teacher" | "no-such-language" | "no-speech" | "too-long-to-read" | "not-a-sound" | "bad-pin" | "bad-media" | "bad-template" | "disk-full" | "not-saved" | "busy" | "storage" | "cancelled" | "export-running" | "class-needs-name" | "already-in-class" | "not-in-class" | "term-not-ended" | "group-needed" | "unknown-invitation" | "used-invitation" | "expired-invitation" | "mistyped-code" | "wrong-code" | "too-many-codes" | "no-teacher-found" | "bad-invitation" | "network" | "internal";

export type DocumentKind = "project" | "class" | "review" | "identities";

export type DocumentEvent = { id: string, kind: DocumentKind, 
/**
 * The document's heads after the change, as hex hashes.
 */
heads: Array<string>, };

export type Launch = { 
/**
 * Open this project's home straight away (a teacher's demo, the benchmarks).
 */
open_project: string | null, 
/**
 * This is a teacher's device: it opens on the class overview.
 */
teacher: boolean, };

export type ExportFormat = "cc11" | "cc13" | "html" | "moodle-backup";

export type ExportProgress = { done: number, total: number, };

export type ExportDone = { path: string, 
/**
 * Photos, drawings, sound and video the pages use that had not reached this device:
 * each such page says so; exporting again once they arrive puts them in.
 */
missing: Array<MissingMediaView>, };

export type MissingMediaView = { group: string, project: string, kind: MissingKind, };

export type MissingKind = "photo" | "drawing" | "audio" | "video";

export type SyncView = { 
/**
 * Sync runs on this device (it belongs to a class and was not started offline).
 */
enabled: boolean, 
/**
 * A peer was synced with in the last few seconds.
 */
online: boolean, 
/**
 * Photos and videos on their way here, if any.
 */
media: MediaTransfer | null, 
/**
 * Fetching media is paused (cancelled for a while); documents still sync.
 */
media_paused: boolean, 
/**
 * When a session last ended well (ms since the epoch).
 */
last_synced: number | null, 
/**
 * This device's disk is nearly full.
 */
storage_low: boolean, free_bytes: number | null, peers: Array<PeerView>, 
/**
 * The class's term ended and this device deleted it: the app starts afresh.
 */
left_class: boolean, };

export type PeerView = { device: string, name: string, last_synced: number | null, 
/**
 * A session with it is open now: changes go both ways as they are made.
 */
live: boolean, in_step: boolean, 
/**
 * Documents changed here since the peer last got everything.
 */
pending: number, 
/**
 * The peer said its disk is nearly full.
 */
storage_low: boolean, error: string | null, };

export type MediaTransfer = { done: number, total: number, };

export type DashboardView = { class_id: string, class_name: string, 
/**
 * The class's language setting (`hugme_model::class::LANGUAGES`).
 */
language: string, groups: Array<GroupOverview>, devices: Array<DeviceView>, 
/**
 * When the teacher ended the term (the devices delete the class as they sync).
 */
ended_at: number | null, };

export type GroupOverview = { group: GroupCard, projects: Array<ProjectOverview>, 
/**
 * Ids of the group's projects that cannot be read (a damaged document): shown as such,
 * while the rest of the overview works.
 */
unreadable: Array<string>, };

export type ProjectOverview = { id: string, title: string, 
/**
 * The group's phenomenon (step 2), as it stands.
 */
phenomenon: string, 
/**
 * The name of the template the teacher gave it, if any.
 */
template: string | null, 
/**
 * The eight steps' states, in order.
 */
steps: Array<StepState>, 
/**
 * Thumbnails (hashes) of the newest pictures, newest first.
 */
newest: Array<string>, hand_raised: boolean, 
/**
 * Today's check-in moods (emoji), in the order given.
 */
moods_today: Array<string>, 
/**
 * When it last changed (ms since the epoch).
 */
last_change: number | null, approval: Approval, locked: boolean, 
/**
 * Comments the group has not seen resolved yet.
 */
open_comments: number, };

export type DeviceView = { id: string, name: string, role: string, 
/**
 * The groups it serves, by name.
 */
groups: Array<string>, revoked: boolean, 
/**
 * Removed at the end of the term, having deleted the class (ms since the epoch).
 */
left_at: number | null, };

export type PinView = { "to": "step", step: Step, } | { "to": "question", id: string, } | { "to": "block", id: string, };

export type ReviewEdit = { "op": "set-overall", text: string, } | { "op": "set-approval", approval: Approval, } | { "op": "set-locked", locked: boolean, } | { "op": "add-comment", id: string, pin: PinView, text: string, } | { "op": "resolve-comment", id: string, } | { "op": "lower-hand" };

export type CommentView = { id: string, pin: PinView, text: string, created_at: number, resolved: boolean, };

export type FeedbackView = { overall: string, approval: Approval, locked: boolean, comments: Array<CommentView>, };

export type ClassEdit = { "op": "set-language", language: string, } | { "op": "add-group", id: string, name: string, } | { "op": "rename-group", id: string, name: string, } | { "op": "set-pin", group: string, pin: string | null, } | { "op": "add-member", group: string, id: string, name: string, protected?: boolean, } | { "op": "rename-member", group: string, id: string, name: string, } | { "op": "set-protected", group: string, id: string, protected: boolean, } | { "op": "remove-member", group: string, id: string, };

