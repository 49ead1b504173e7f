/**
 * Finds secret material in a synthesized template: PEM private keys, private JWK members,
 * and any property named like a secret whose value is a literal rather than a dynamic
 * reference ({{resolve:secretsmanager:...}}) or a reference to another resource.
 */
const SECRET_NAME = /secret|password|privatekey|private_key|clientsecret/i;
const ALLOWED_NAMES = /^(GenerateSecret|SecretArn|SecretId|SecretName|SecretString?Template|GenerateSecretString|PasswordPolicy|TemporaryPasswordValidityDays|PasswordHistorySize|.*SecretArn|.*SecretName)$/;

export function findSecrets(node: unknown, path = '$', found: string[] = []): string[] {
  if (typeof node === 'string') {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(node)) found.push(`${path}: PEM private key`);
    return found;
  }
  if (Array.isArray(node)) {
    node.forEach((v, i) => findSecrets(v, `${path}[${i}]`, found));
    return found;
  }
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      const p = `${path}.${k}`;
      if (k === 'd' && typeof v === 'string' && v.length > 20) found.push(`${p}: private JWK member`);
      if (SECRET_NAME.test(k) && !ALLOWED_NAMES.test(k) && typeof v === 'string' && !v.startsWith('{{resolve:secretsmanager:')) {
        found.push(`${p}: literal value for a secret-named property`);
      }
      findSecrets(v, p, found);
    }
  }
  return found;
}
