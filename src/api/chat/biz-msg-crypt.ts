/**
 * The callback crypto DingTalk and WeCom share (both took WeChat's): the signature is the hex SHA-1 of
 * token, timestamp, nonce and the ciphertext, sorted as strings and joined; the ciphertext is base64 of
 * AES-256-CBC (key = base64 of the 43-character key plus "=", IV = the key's first 16 bytes, PKCS#7 padding
 * to 32-byte blocks) over random(16) ‖ length(4, big-endian) ‖ message ‖ receiver id (corp id or app key).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The msg_signature of a callback. */
export function bizMsgSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

const keyOf = (aesKey: string) => Buffer.from(`${aesKey}=`, 'base64');

/** Decrypts a callback's ciphertext; the message, or why not (bad padding, another receiver). */
export function bizMsgDecrypt(aesKey: string, encrypted: string, receiverId: string): { message: string } | { error: string } {
  const key = keyOf(aesKey);
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    plain = Buffer.concat([d.update(Buffer.from(encrypted, 'base64')), d.final()]);
  } catch {
    return { error: 'the ciphertext is not AES-256-CBC under this key' };
  }
  const pad = plain.at(-1) ?? 0;
  if (pad < 1 || pad > 32 || plain.length < 20 + pad) return { error: 'the ciphertext does not decrypt with this key' };
  const body = plain.subarray(16, plain.length - pad);
  const len = body.readUInt32BE(0);
  if (len > body.length - 4) return { error: 'the ciphertext does not decrypt with this key' };
  const message = body.subarray(4, 4 + len).toString('utf8');
  if (body.subarray(4 + len).toString('utf8') !== receiverId) return { error: 'the callback is for another receiver id' };
  return { message };
}

/** Encrypts an answer (DingTalk expects "success" encrypted back). */
export function bizMsgEncrypt(aesKey: string, message: string, receiverId: string): string {
  const key = keyOf(aesKey);
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const data = Buffer.concat([randomBytes(16), len, msg, Buffer.from(receiverId, 'utf8')]);
  const pad = 32 - (data.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), c.final()]).toString('base64');
}
