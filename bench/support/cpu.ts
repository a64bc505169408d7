import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where a scenario's time goes, in CPU per unit of work: the Node process that
 * does the work (the bench itself, the server, or the CLI) beside PostgreSQL.
 * On two cores, the sum of the two is what bounds throughput, so a ratio that
 * misses its target shows here which side has to shrink. Linux only (/proc); on
 * a DATABASE_URL elsewhere PostgreSQL's share is not measurable and is left out.
 */
export interface CpuUse {
  /** The measured Node process, in ms of CPU. */
  nodeMs: number;
  /** Every process of the PostgreSQL cluster, ended backends included, in ms of CPU; undefined where it cannot be read. */
  postgresMs?: number;
  wallMs: number;
}

export type NodeProcess = 'self' | 'ended children' | number;

/** One measured window: the CPU it used, and the units of work (events, requests) it did. */
export interface MeteredWindow {
  use: CpuUse;
  units: number;
}

const MS_PER_TICK = 1000 / (Number(readOptional(() => execSync('getconf CLK_TCK').toString().trim())) || 100);

interface ProcessCpu {
  parentPid: number;
  ownMs: number;
  /** Children that have ended and been waited for. */
  endedChildrenMs: number;
}

function readOptional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function processCpu(pid: number | 'self'): ProcessCpu | undefined {
  const text = readOptional(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (text === undefined) return undefined;
  // The command name may hold spaces and parentheses: the fields that follow start after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (index: number) => Number(fields[index]) * MS_PER_TICK;
  // fields[0] is stat's 3rd field: utime and stime are its 14th and 15th, cutime and cstime its 16th and 17th.
  return { parentPid: Number(fields[1]), ownMs: ms(11) + ms(12), endedChildrenMs: ms(13) + ms(14) };
}

/**
 * CPU so far of the postmaster, its live children and its ended ones: the whole
 * cluster. A child waited for while its siblings are being read would be in
 * neither count (a pool closing idle connections makes that common), so the
 * reading is taken again until no child ended during it.
 */
function clusterCpuMs(postmasterPid: number): number | undefined {
  for (let attempt = 1; ; attempt++) {
    const postmaster = processCpu(postmasterPid);
    if (!postmaster) return undefined;
    let total = postmaster.ownMs + postmaster.endedChildrenMs;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = processCpu(Number(entry));
      if (child?.parentPid === postmasterPid) total += child.ownMs;
    }
    if (processCpu(postmasterPid)?.endedChildrenMs === postmaster.endedChildrenMs || attempt === 10) return total;
  }
}

function nodeCpuMs(process: NodeProcess): number {
  const cpu = processCpu(process === 'ended children' ? 'self' : process);
  if (!cpu) throw new Error(`no CPU figures for process ${process}`);
  return process === 'ended children' ? cpu.endedChildrenMs : cpu.ownMs;
}

/**
 * Starts measuring the CPU of a Node process (the bench itself; a server by
 * pid; or the children that end meanwhile, for a CLI run to its exit) and of
 * the cluster whose postmaster is given. `stop()` gives what each used since.
 */
export function startCpuMeter(node: NodeProcess, postmasterPid: number | undefined): { stop(): CpuUse } {
  const started = { node: nodeCpuMs(node), postgres: postmasterPid ? clusterCpuMs(postmasterPid) : undefined, at: performance.now() };
  return {
    stop() {
      const postgres = postmasterPid ? clusterCpuMs(postmasterPid) : undefined;
      return {
        nodeMs: nodeCpuMs(node) - started.node,
        postgresMs: postgres !== undefined && started.postgres !== undefined ? postgres - started.postgres : undefined,
        wallMs: performance.now() - started.at,
      };
    },
  };
}

/** The postmaster of the cluster a connection's backend belongs to, when that backend is a process on this machine. */
export function postmasterOf(backendPid: number): number | undefined {
  return processCpu(backendPid)?.parentPid;
}

/** µs of CPU per unit of work (event, request). */
export function microsecondsPer(milliseconds: number, units: number): number {
  return (milliseconds * 1000) / units;
}
