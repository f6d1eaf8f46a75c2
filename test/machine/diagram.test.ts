// `autossh-lab inspect`: the diagram is read from the machine, so every rule must show in it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { autosshMachine } from '../../src/machine/autossh-machine.js';
import { machineDiagram } from '../../src/machine/diagram.js';

const diagram = machineDiagram(autosshMachine);
const lines = diagram.trimEnd().split('\n');

describe('the machine diagram', () => {
  it('names every guard and every action the machine defines', () => {
    const { guards, actions } = autosshMachine.implementations;
    for (const guard of Object.keys(guards)) expect(diagram, `guard ${guard}`).toMatch(new RegExp(`\\[([\\w ]+ and )?${guard}( and [\\w ]+)?\\]`));
    for (const action of Object.keys(actions)) expect(diagram, `action ${action}`).toMatch(new RegExp(`[/,] ${action}\\b`));
  });

  it('shows every state, and only well-formed Mermaid lines', () => {
    for (const state of ['starting', 'backingOff', 'sshRunning', 'sshRunning_connecting', 'sshRunning_up', 'sshRunning_testing', 'stopping', 'exited']) {
      expect(diagram).toMatch(new RegExp(`(^ +${state} --> )|(--> ${state} )`, 'm'));
    }
    expect(lines[0]).toBe('stateDiagram-v2');
    const shapes = [/^ +\[\*\] --> \w+$/, /^ +\w+ --> (\w+|\[\*\])( : .+)?$/, /^ +\w+ : (entry|exit) \/ .+$/, /^ +state \w+ \{$/, /^ +\}$/];
    for (const line of lines.slice(1)) expect(shapes.some((shape) => shape.test(line)), line).toBe(true);
  });

  it('shows the top of the start loop in its order of precedence, as autossh decides', () => {
    const fromStart = lines.filter((l) => l.trim().startsWith('starting -->') && l.includes(': START')).map((l) => l.replace(/^.*START /, ''));
    expect(fromStart.map((l) => l.match(/\[(\w+)\]/)?.[1] ?? 'otherwise')).toEqual([
      'maxStartReached', 'lifetimeExceeded', 'waitDue', 'awaitsEstablishment', 'otherwise',
    ]);
    // an ssh exit that means a restart reaches the same list (its forward-retry run just ended: waitDue's ownExit)
    const fromExit = lines.filter((l) => l.includes(': SSH_EXITED') && l.trim().startsWith('sshRunning -->')).map((l) => l.match(/\[(\w+)\]/)?.[1] ?? 'otherwise');
    expect(fromExit).toEqual(['exitMeansSuccess', 'exitMeansGivingUp', 'maxStartReached', 'lifetimeExceeded', 'waitDue', 'awaitsEstablishment', 'otherwise']);
  });

  it('is what `autossh-lab inspect` prints', () => {
    expect(execFileSync(process.execPath, ['dist/lab/cli/lab.js', 'inspect'], { encoding: 'utf8' })).toBe(diagram);
  });
});
