import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CertificateFiles {
  readonly directory: string;
  readonly key: string;
  readonly cert: string;
  /** The CA certificate file (PEM) to trust, for a CA-signed certificate; the certificate itself when self-signed. */
  readonly caFile: string;
  remove(): Promise<void>;
}

async function openssl(args: readonly string[], directory: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd: directory });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed certificate for `commonName` with the given subjectAltName, made by openssl in a temp directory. */
export async function selfSignedCertificate(
  commonName: string,
  altNames: string,
  days = 30,
): Promise<CertificateFiles> {
  const directory = await mkdtemp(join(tmpdir(), 'p25probe-cert-'));
  await openssl(
    [
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      String(days),
      '-subj',
      `/CN=${commonName}`,
    ].concat(['-addext', `subjectAltName=${altNames}`]),
    directory,
  );
  return filesIn(directory, join(directory, 'cert.pem'));
}

/** A test CA and a certificate it signed for `commonName` / `altNames`: trusted once the CA file is. */
export async function caSignedCertificate(commonName: string, altNames: string, days = 30): Promise<CertificateFiles> {
  const directory = await mkdtemp(join(tmpdir(), 'p25probe-cert-'));
  await openssl(
    ['req', '-x509', ...KEY, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=p25probe test CA'],
    directory,
  );
  await openssl(
    ['req', '-new', ...KEY, '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', `/CN=${commonName}`],
    directory,
  );
  await writeFile(join(directory, 'leaf.ext'), `subjectAltName=${altNames}\n`);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      'cert.pem',
    ].concat(['-days', String(days), '-extfile', 'leaf.ext']),
    directory,
  );
  return filesIn(directory, join(directory, 'ca.pem'));
}

async function filesIn(directory: string, caFile: string): Promise<CertificateFiles> {
  return {
    directory,
    key: await readFile(join(directory, 'key.pem'), 'utf8'),
    cert: await readFile(join(directory, 'cert.pem'), 'utf8'),
    caFile,
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
