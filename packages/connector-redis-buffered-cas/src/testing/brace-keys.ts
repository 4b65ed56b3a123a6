/** Storage keys whose braces exercise every branch of Redis Cluster's hash tag rule (slots.ts). */
export const BRACE_KEYS = [
  'plain/key.json',
  'p:{user1000}.following', // a tag
  'p:foo{}{bar}', // empty first tag: hashed whole, the later {bar} does not count
  'p:foo{{bar}}zap', // tag "{bar"
  'p:foo{bar}{zap}', // tag "bar"
  'p:{', // unbalanced
  'p:}', // a lone closing brace
  'p:}{', // closing before opening
  'p:a{b', // opening with no closing after it
  'p:a}b{c', // closing before opening, then nothing closes
  'p:{}', // only an empty tag
  'p:{}}', // empty tag then a closing brace
  '{a}', // the whole key a tag
  '{', // a single brace
  'p:ü{ß}€', // multi-byte characters in and around the tag
  'p:ü{€', // multi-byte, unbalanced
];
