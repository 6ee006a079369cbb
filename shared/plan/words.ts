/**
 * The words a plan uses for its parts, in English and Korean, kept in one
 * place so a new synonym is one line. Everything is matched case-insensitively
 * after spaces are collapsed.
 */

/** What a label line (`**Files:**`, `완료 조건:`) or a sub-heading inside a task starts. */
export type LabelKind = 'files' | 'acceptance' | 'steps' | 'deps';

const LABELS: Record<LabelKind, string[]> = {
  files: [
    'files', 'file', 'files touched', 'files to change', 'files changed', 'files to create', 'touched files',
    '파일', '대상 파일', '변경 파일', '관련 파일', '수정 파일',
  ],
  acceptance: [
    'acceptance', 'acceptance criteria', 'acceptance criterion', 'done when', 'definition of done', 'completion criteria',
    'completion criterion', 'success criteria', 'exit criteria',
    '완료 조건', '수용 기준', '인수 조건', '완료 기준', '성공 기준', '검수 기준', '완료 정의',
  ],
  steps: ['steps', 'implementation steps', 'implementation', 'how', '단계', '구현 단계', '작업 내용', '진행 단계', '구현'],
  deps: [
    'depends on', 'dependencies', 'dependency', 'depends', 'prerequisites', 'prerequisite', 'blocked by', 'after',
    '선행', '선행 작업', '선행 조건', '의존', '의존성', '의존 작업',
  ],
};

const LABEL_BY_NAME = new Map<string, LabelKind>(
  (Object.entries(LABELS) as [LabelKind, string[]][]).flatMap(([kind, names]) => names.map((n): [string, LabelKind] => [n, kind])),
);

/** Headings outside tasks whose text is context for every task (it goes into the spec's description). */
const CONTEXT_HEADINGS = new Set([
  'goal', 'goals', 'overview', 'background', 'context', 'summary', 'architecture', 'tech stack', 'technology',
  'constraints', 'non-goals', 'non goals', 'scope', 'requirements', 'notes', 'assumptions', 'motivation', 'design',
  'approach', 'conventions', 'risks',
  '목표', '개요', '배경', '맥락', '요약', '아키텍처', '기술 스택', '제약', '제약 조건', '범위', '요구 사항', '요구사항', '참고',
  '가정', '동기', '설계', '접근 방식', '규칙', '위험',
]);

/** Lines in a `**Files:**` list: which prefixes mean the task owns the file. */
const OWNED_FILE_KINDS = new Set([
  'create', 'created', 'add', 'added', 'new', 'modify', 'modified', 'update', 'updated', 'edit', 'change', 'changed',
  'test', 'tests', 'delete', 'remove', 'rename', 'move',
  '생성', '추가', '신규', '수정', '변경', '테스트', '삭제', '이동', '이름 변경',
]);
/** Prefixes for files the task only reads: listed for context, not owned. */
const READ_FILE_KINDS = new Set(['read', 'reference', 'ref', 'see', 'context', 'uses', '참고', '참조', '읽기']);

/** Lowercase, single spaces, no trailing colon. */
export function normalizeName(text: string): string {
  return text.trim().replace(/[:：]$/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function labelKind(name: string): LabelKind | undefined {
  return LABEL_BY_NAME.get(normalizeName(name));
}

export function isContextHeading(text: string): boolean {
  const name = normalizeName(text);
  return CONTEXT_HEADINGS.has(name) || LABEL_BY_NAME.get(name) === 'acceptance';
}

/** 'owned' for Create/Modify/Test/생성/수정/테스트..., 'read' for Read/참고, undefined for anything else. */
export function fileKind(prefix: string): 'owned' | 'read' | undefined {
  const name = normalizeName(prefix);
  if (OWNED_FILE_KINDS.has(name)) return 'owned';
  if (READ_FILE_KINDS.has(name)) return 'read';
  return undefined;
}

/** `Task 3: title`, `Task 3 - title`, `작업 3: 제목`, `태스크 3. 제목` -> number and title. */
const TASK_HEADING = /^(?:task|작업|태스크)\s*#?\s*(\d+(?:\.\d+)*[a-z]?)(?![\w.])\s*[:：.)\-–—|]?\s*(.*)$/i;
/** `A1 | title` (the id as the author wrote it, then the title; more cells are ignored). */
const ID_HEADING = /^([A-Za-z0-9][\w.-]{0,63})\s*\|\s*([^|]*)/;
const PHASE_HEADING = /^(?:(?:phase|stage|milestone)\b|(?:단계|페이즈|마일스톤)\s*\d|\d+\s*단계|페이즈)/i;
const STREAM_HEADING = /^(?:track|lane)\b|\b(?:stream|workstream|work stream)\b|^(?:스트림|트랙|작업\s*흐름|병렬\s*(?:스트림|트랙))/i;

export type HeadingKind =
  | { kind: 'task'; number?: string; givenId?: string; title: string }
  | { kind: 'phase' }
  | { kind: 'stream' }
  | { kind: 'label'; label: LabelKind }
  | { kind: 'context' }
  | { kind: 'other' };

/** What a heading's text (without the #'s and emphasis) announces. */
export function classifyHeading(text: string): HeadingKind {
  const task = TASK_HEADING.exec(text);
  if (task) return { kind: 'task', number: task[1]!.toLowerCase(), title: task[2]!.trim() };
  const byId = ID_HEADING.exec(text);
  if (byId && byId[2]!.trim() !== '') return { kind: 'task', givenId: byId[1]!, title: byId[2]!.trim() };
  if (PHASE_HEADING.test(text)) return { kind: 'phase' };
  if (STREAM_HEADING.test(text)) return { kind: 'stream' };
  const label = labelKind(text);
  if (label === 'acceptance' || isContextHeading(text)) return { kind: 'context' };
  if (label) return { kind: 'label', label };
  return { kind: 'other' };
}
