/**
 * Plans written in Korean: `### 작업 N:` headings, `**파일:**` lists with
 * 생성 / 수정 / 테스트, `완료 조건` and `수용 기준`, and dependencies written as
 * "작업 1 이후", "작업 1에 의존", "Task 3에 의존" and "선행: A1".
 */
import { describe, expect, it } from 'vitest';
import { importFixture, shape } from './helpers.ts';

describe('plan import: Korean plans', () => {
  it('작업 N headings, 파일 lists, 완료 조건 / 수용 기준, 이후 and 의존, and a shared config file', () => {
    const { imported, loaded } = importFixture('ko-notifications.md');
    // A Korean title has no latin letters to slug, so the id comes from the file name.
    expect(loaded.id).toBe('ko-notifications');
    expect(loaded.title).toBe('댓글 알림 구현 계획');
    expect(loaded.description).toMatch(/^\*\*목표:\*\* 사용자가 자기 글에 달린 댓글 알림을/);
    expect(shape(loaded)).toEqual({
      'task-1': { files: ['src/notify/model.ts', 'test/notify/model.test.ts'], dependsOn: [] },
      'task-2': { files: ['src/notify/email.ts', 'src/config.ts', 'test/notify/email.test.ts'], dependsOn: ['task-1'] },
      'task-3': { files: ['src/api/notifications.ts', 'src/config.ts', 'test/api/notifications.test.ts'], dependsOn: ['task-1', 'task-2'] },
      'task-4': { files: ['src/web/settings.tsx'], dependsOn: ['task-3'] },
    });
    expect(imported.reasons['task-3']).toEqual({ 'task-1': 'Task 1 named on line 49', 'task-2': 'both own src/config.ts' });
    const [t1, t2, , t4] = loaded.tasks;
    expect(t1!.title).toBe('알림 모델');
    expect(t1!.acceptance).toEqual(['모델 테스트가 통과한다', '읽음 표시는 한 번만 바뀐다']);
    expect(t1!.description).toContain('- [ ] **1단계: 실패하는 테스트 작성**');
    expect(t2!.acceptance).toEqual(['세 번 실패하면 오류를 기록하고 알림은 남겨 둔다']);
    expect(t2!.description).toContain('2. 발송 실패 시 지수 백오프로 세 번까지 재시도한다.');
    expect(t4!.acceptance).toEqual(['스위치 상태가 새로고침 후에도 유지된다']);
    expect(imported.warnings).toEqual([{ line: 65, message: expect.stringContaining("section '배포'") }]);
  });

  it('단계 phases, 스트림 streams, `A1 | 제목` ids and 선행 labels', () => {
    const { imported, loaded } = importFixture('ko-phases.md');
    expect(loaded.id).toBe('ko-phases');
    expect(loaded.description).toContain('## 개요');
    expect(shape(loaded)).toEqual({
      a1: { files: ['src/pay/adapter.ts', 'test/pay/adapter.test.ts'], dependsOn: [] },
      a2: { files: ['src/pay/toss.ts', 'test/pay/toss.test.ts'], dependsOn: ['a1'] },
      b1: { files: ['src/web/pay/button.tsx'], dependsOn: [] },
      b2: { files: ['src/web/pay/result.tsx'], dependsOn: ['a1', 'b1'] },
      c1: { files: ['test/e2e/pay.test.ts'], dependsOn: ['a2', 'b2'] },
      c2: { files: ['src/pay/index.ts'], dependsOn: ['a2', 'b2'] },
    });
    expect(loaded.tasks.map((t) => t.title)).toEqual(['결제 어댑터 인터페이스', '토스 어댑터', '결제 버튼 컴포넌트', '결제 결과 페이지', '통합 테스트', '운영 전환 스위치']);
    expect(loaded.tasks[0]!.acceptance).toEqual(['인터페이스에 대한 타입 테스트가 통과한다']);
    expect(loaded.tasks[4]!.acceptance).toEqual(['샌드박스에서 결제부터 환불까지 한 번에 통과한다']);
    // c1 names its dependencies; c2 does not, so it waits for the end of phase 1.
    expect(imported.reasons.c1).toEqual({ a2: 'A2 named on line 51', b2: 'B2 named on line 51' });
    expect(imported.reasons.c2).toEqual({ a2: 'the previous phase', b2: 'the previous phase' });
    expect(imported.warnings).toEqual([]);
  });
});
