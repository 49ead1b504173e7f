/**
 * Claim normalisation of the verified attributes: only where OIDC fixes a form (address object,
 * birthdate, gender codes); names and addresses exactly as the card has them.
 */
import { verifiedAttributesOf } from '../../../lambdas/shared/verified-claims';

describe('verifiedAttributesOf', () => {
  test('names are never altered: no Unicode normalization, width folding or trimming', () => {
    // U+FA1B is a compatibility ideograph that NFC would turn into U+798F; 𠮷 is outside the BMP.
    for (const name of ['髙橋 﨑一郎', '\u{20BB7}野 \uFA1B子', 'ｶﾅ ﾃｽﾄ', ' 前後に空白 ']) {
      expect(verifiedAttributesOf({ name }).name).toBe(name);
    }
    expect('\uFA1B'.normalize('NFC')).not.toBe('\uFA1B'); // the test would catch a normalization
  });

  test.each([
    ['a string, as it is', '東京都千代田区紀尾井町1番3号', '東京都千代田区紀尾井町1番3号'],
    ['an OIDC address object with formatted', { formatted: '大阪府大阪市北区梅田三丁目1番1号', region: '大阪府' }, '大阪府大阪市北区梅田三丁目1番1号'],
    ['an OIDC address object without formatted, in Japanese order', { postal_code: '060-0001', region: '北海道', locality: '札幌市中央区', street_address: '北一条西二丁目' }, '〒060-0001 北海道 札幌市中央区 北一条西二丁目'],
    ['an empty object: nothing', {}, undefined],
    ['longer than Cognito keeps (2,048): nothing rather than a cut address', 'あ'.repeat(2049), undefined],
  ])('address: %s', (_name, address, expected) => {
    expect(verifiedAttributesOf({ address }).address).toBe(expected);
  });

  test.each([
    ['1985-04-01', '1985-04-01'],
    ['19850401', '1985-04-01'],
    ['1948-02-29', '1948-02-29'],
    ['1949-02-29', undefined], // not a leap year
    ['1992-13-01', undefined],
    ['平成4年11月23日', undefined],
    [19850401, undefined],
  ])('birthdate %j becomes %j', (birthdate, expected) => {
    expect(verifiedAttributesOf({ birthdate }).birthdate).toBe(expected);
  });

  test.each([
    ['male', 'male'],
    ['female', 'female'],
    ['1', 'male'],
    ['2', 'female'],
    [2, 'female'],
    ['0', 'unknown'],
    ['9', 'not_applicable'],
    ['other', 'other'],
  ])('gender %j becomes %j (OIDC values, JIS X 0303 codes)', (gender, expected) => {
    expect(verifiedAttributesOf({ gender }).gender).toBe(expected);
  });

  test('nothing but the four attributes passes, and never an Individual Number', () => {
    expect(verifiedAttributesOf({ name: 'a', individual_number: '123456789012', my_number: '123456789012', sub: 'x', email: 'e@x' })).toEqual({ name: 'a' });
    // Not even in one of the four fields.
    expect(verifiedAttributesOf({ name: '123456789012', address: ' 123456789012 ', gender: '123456789012', birthdate: '123456789012' })).toEqual({});
    expect(verifiedAttributesOf({ gender: 123456789012 })).toEqual({});
    expect(verifiedAttributesOf({ gender: '3' })).toEqual({});
  });

  test('an address object builds from its parts when formatted is empty; a postal code that is not a string is left out', () => {
    expect(verifiedAttributesOf({ address: { formatted: '', region: '東京都', locality: '千代田区' } }).address).toBe('東京都 千代田区');
    expect(verifiedAttributesOf({ address: { postal_code: { x: 1 }, region: '東京都' } }).address).toBe('東京都');
  });
});
