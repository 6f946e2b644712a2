import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the lock lives unless PORT25_LAB_LOCK_FILE says otherwise (the tests' own). */
export function labLockFile(env: NodeJS.ProcessEnv): string {
  return env.PORT25_LAB_LOCK_FILE ?? join(tmpdir(), 'port25-canary-lab.lock');
}

/** Another lab holds the lock: its namespaces, nftables tables and ports are the ones this lab would create. */
export class LabBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lab's lock: a file holding this process's ID, created exclusively. A lock whose process is gone (a lab that
 * was killed) is taken over; a live one throws LabBusyError naming its process. Returns the release function.
 */
export async function acquireLabLock(file: string, pid = process.pid): Promise<() => Promise<void>> {
  for (let tries = 0; tries < 2; tries += 1) {
    try {
      await writeFile(file, `${pid}\n`, { flag: 'wx' });
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new LabBusyError(
        `another lab is running (process ${holder}, lock ${file}): wait for it to finish; the two would build the same namespaces`,
      );
    }
    // Stale: its lab was killed before it could remove the file.
    await unlink(file).catch(() => undefined);
  }
  throw new LabBusyError(`cannot take the lab lock ${file}: another lab took it at the same moment`);
}
