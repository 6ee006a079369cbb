import { describe, expect, it } from 'vitest';
import { dependentsOf, findCycle, findCycles, topoOrder } from '../../../shared/spec/graph.ts';

const t = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });

describe('findCycle', () => {
  it('finds none in a DAG and ignores unknown dependencies', () => {
    expect(findCycle([t('a'), t('b', 'a'), t('c', 'a', 'b', 'ghost')])).toBeUndefined();
  });

  it('names a cycle as a closed path where each task depends on the next', () => {
    expect(findCycle([t('x'), t('a', 'b'), t('b', 'c'), t('c', 'a')])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([t('a', 'a')])).toEqual(['a', 'a']);
  });

  it('finds a cycle at the end of a 10,000 task chain without overflowing the stack', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => t(`t${i}`, `t${i + 1}`));
    chain.push(t('t10000', 't9990'));
    expect(findCycle(chain)).toEqual([...Array.from({ length: 11 }, (_, i) => `t${9990 + i}`), 't9990']);
  });

  it('stops at the limit', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => [t(`a${i}`, `b${i}`), t(`b${i}`, `a${i}`)]).flat();
    expect(findCycles(pairs)).toHaveLength(10);
    expect(findCycles(pairs, 3)).toHaveLength(3);
  });
});

describe('topoOrder', () => {
  it('puts every task after its dependencies and keeps file order otherwise', () => {
    const order = topoOrder([t('docs', 'api', 'ui'), t('ui', 'lib'), t('lib'), t('api', 'lib'), t('lone')]).map((x) => x.id);
    expect(order).toEqual(['lib', 'ui', 'api', 'docs', 'lone']);
  });

  it('returns the task objects themselves', () => {
    const tasks = [{ id: 'b', dependsOn: ['a'], title: 'B' }, { id: 'a', dependsOn: [], title: 'A' }];
    expect(topoOrder(tasks)).toEqual([tasks[1], tasks[0]]);
  });

  it('throws SPEC_INVALID naming the cycle', () => {
    expect(() => topoOrder([t('a', 'b'), t('b', 'a')])).toThrowError(expect.objectContaining({ code: 'SPEC_INVALID', message: 'tasks form a dependency cycle: a -> b -> a' }));
  });
});

describe('dependentsOf', () => {
  it('lists direct and indirect dependents in file order', () => {
    const tasks = [t('d', 'c'), t('a'), t('b', 'a'), t('c', 'b'), t('e'), t('f', 'a', 'e')];
    expect(dependentsOf(tasks, 'a')).toEqual(['d', 'b', 'c', 'f']);
    expect(dependentsOf(tasks, 'e')).toEqual(['f']);
    expect(dependentsOf(tasks, 'd')).toEqual([]);
  });

  it('terminates on a cycle and leaves out the task itself', () => {
    expect(dependentsOf([t('a', 'b'), t('b', 'a'), t('c', 'b')], 'a')).toEqual(['b', 'c']);
  });
});
