import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from '../../functions/shared/outcomes.js';
import { acquireLabLock, labLockFile } from '../../lab/lab-lock.js';
import { runNodeScript } from '../helpers/exec.js';

// No namespace is created here: the lock is taken before anything else the lab does.
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'p25-lablock-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('acquireLabLock', () => {
  it('writes its process ID and removes the file on release', async () => {
    const file = join(directory, 'a.lock');

    const release = await acquireLabLock(file, 4242);
    const written = await readFile(file, 'utf8');
    await release();

    expect(written).toBe('4242\n');
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a lock held by a live process, naming it', async () => {
    const file = join(directory, 'b.lock');
    await writeFile(file, `${process.pid}\n`);

    await expect(acquireLabLock(file)).rejects.toThrow(
      `another lab is running (process ${process.pid}, lock ${file}): wait for it to finish; the two would build the same namespaces`,
    );
  });

  it('takes over a lock whose process is gone', async () => {
    const file = join(directory, 'c.lock');
    // Above the kernel's pid_max (at most 2^22): no such process can exist.
    await writeFile(file, '99999999\n');

    const release = await acquireLabLock(file, 7);

    expect(await readFile(file, 'utf8')).toBe('7\n');
    await release();
  });

  it('lives in the temp directory unless PORT25_LAB_LOCK_FILE says otherwise', () => {
    expect(labLockFile({})).toBe(join(tmpdir(), 'port25-canary-lab.lock'));
    expect(labLockFile({ PORT25_LAB_LOCK_FILE: '/x.lock' })).toBe('/x.lock');
  });
});

describe('a second npm run lab', () => {
  it('exits 2 with one line saying another lab is running', async () => {
    const file = join(directory, 'lab.lock');
    await writeFile(file, `${process.pid}\n`);

    const result = await runNodeScript(resolve('dist/lab.mjs'), [], { env: { PORT25_LAB_LOCK_FILE: file } });

    expect(result.stderr).toBe(
      `npm run lab: another lab is running (process ${process.pid}, lock ${file}): wait for it to finish; the two would build the same namespaces\n`,
    );
    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
  });

  it('lists all four phases in its help', async () => {
    const result = await runNodeScript(resolve('dist/lab.mjs'), ['--help']);

    expect(result.stdout).toMatch(/Four phases: 1 .*2 .*3 .*4 a fleet/s);
  });
});
