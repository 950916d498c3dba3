/**
 * Makes a throwaway CA and a server certificate for 127.0.0.1 / localhost with the openssl CLI.
 * The main server, the ACR login server and Azurite all serve the same certificate; every client
 * of the test bed trusts caFile (NODE_EXTRA_CA_CERTS for node, /etc/docker/certs.d-style for docker).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

export interface TestbedCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(error)}`);
  }
}

/** Writes ca.pem, server.pem, server-key.pem (and the CA key) into `dir`. EC P-256 keys: fast to make. */
export async function makeCertificates(dir: string): Promise<TestbedCertificates> {
  const tlsDir = path.join(dir, 'tls');
  fs.mkdirSync(tlsDir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // The CA and the server's key + CSR do not depend on each other: make them in parallel.
  await Promise.all([
    openssl(
      ['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Testbed Local CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      tlsDir,
    ),
    openssl(['req', '-new', ...ec, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], tlsDir),
  ]);
  fs.writeFileSync(
    path.join(tlsDir, 'server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server.pem',
      '-days', '30', '-extfile', 'server.ext'],
    tlsDir,
  );
  const caFile = path.join(tlsDir, 'ca.pem');
  const certFile = path.join(tlsDir, 'server.pem');
  const keyFile = path.join(tlsDir, 'server-key.pem');
  return {
    caFile, certFile, keyFile,
    ca: fs.readFileSync(caFile),
    cert: fs.readFileSync(certFile),
    key: fs.readFileSync(keyFile),
  };
}
