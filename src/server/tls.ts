// Transport security for `quiver serve`: plain TCP, TLS (--tls-cert + --tls-key), or mutual TLS
// (also --tls-client-ca: every client must present a certificate that CA signed). The files are
// read and checked once at startup, so a wrong path, a key that belongs to another certificate
// or a file that is not PEM stops the server with a message naming the option, instead of
// surfacing later as a handshake failure on every call.
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface TlsSettings {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  tlsPeerCa?: string;
}

export interface ServerTls {
  mode: 'tcp' | 'tls' | 'mtls';
  /** The scheme of the locations this server advertises: grpc+tcp or grpc+tls. */
  scheme: 'grpc+tcp' | 'grpc+tls';
  server: grpc.ServerCredentials;
  /**
   * How this server, as a client, reaches another replica (a follower forwarding DoPut to the
   * leader). It trusts --tls-peer-ca, else the --tls-client-ca (replicas of one cluster sharing
   * one CA), else the system's roots; under mutual TLS it presents its own certificate.
   */
  peer: () => grpc.ChannelCredentials;
}

export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}

export function serverTls(settings: TlsSettings): ServerTls {
  const { tlsCert, tlsKey, tlsClientCa, tlsPeerCa } = settings;
  if (!tlsCert && !tlsKey) {
    if (tlsClientCa) throw new TlsConfigError('--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS with client certificates');
    if (tlsPeerCa) throw new TlsConfigError('--tls-peer-ca needs --tls-cert and --tls-key: without TLS, replicas call each other in plain TCP');
    return { mode: 'tcp', scheme: 'grpc+tcp', server: grpc.ServerCredentials.createInsecure(), peer: () => grpc.credentials.createInsecure() };
  }
  if (!tlsCert || !tlsKey) throw new TlsConfigError(`TLS needs both --tls-cert and --tls-key; only ${tlsCert ? '--tls-cert' : '--tls-key'} was given`);
  const certPem = readPem('--tls-cert', tlsCert);
  const keyPem = readPem('--tls-key', tlsKey);
  const chain = certificates('--tls-cert', tlsCert, certPem);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (e) {
    throw new TlsConfigError(`--tls-key ${tlsKey} is not a PEM private key: ${(e as Error).message}`);
  }
  if (!chain[0]!.checkPrivateKey(key)) {
    throw new TlsConfigError(`--tls-key ${tlsKey} does not belong to the certificate in --tls-cert ${tlsCert} (${chain[0]!.subject.replace(/\n/g, ', ')})`);
  }
  const pair = { cert_chain: certPem, private_key: keyPem };
  const peerCaPem = tlsPeerCa ? readPem('--tls-peer-ca', tlsPeerCa) : null;
  if (peerCaPem) certificates('--tls-peer-ca', tlsPeerCa!, peerCaPem);
  if (!tlsClientCa) {
    return {
      mode: 'tls',
      scheme: 'grpc+tls',
      server: grpc.ServerCredentials.createSsl(null, [pair], false),
      peer: () => grpc.credentials.createSsl(peerCaPem),
    };
  }
  const caPem = readPem('--tls-client-ca', tlsClientCa);
  certificates('--tls-client-ca', tlsClientCa, caPem);
  return {
    mode: 'mtls',
    scheme: 'grpc+tls',
    server: grpc.ServerCredentials.createSsl(caPem, [pair], true),
    peer: () => grpc.credentials.createSsl(peerCaPem ?? caPem, keyPem, certPem),
  };
}

function readPem(option: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new TlsConfigError(`cannot read ${option} ${file}: ${(e as Error).message}`);
  }
}

/** Every certificate in a PEM file, parsed: OpenSSL would otherwise skip what it cannot read. */
function certificates(option: string, file: string, pem: Buffer): crypto.X509Certificate[] {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TlsConfigError(`${option} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((block, i) => {
    try {
      return new crypto.X509Certificate(block);
    } catch (e) {
      throw new TlsConfigError(`${option} ${file}: certificate ${i + 1} cannot be parsed: ${(e as Error).message}`);
    }
  });
}
