import { describe, expect, it } from 'vitest';
import { parseYamlDocuments } from './yaml.js';

describe('parseYamlDocuments', () => {
  it('returns each document of a multi-document file with the line it starts on', () => {
    const result = parseYamlDocuments('a: 1\n---\n# comment\nb: 2\n---\nc: 3\n');
    expect(result).toEqual({
      ok: true,
      documents: [
        { line: 1, value: { a: 1 } },
        { line: 4, value: { b: 2 } },
        { line: 6, value: { c: 3 } },
      ],
    });
  });

  it('skips empty documents and comment-only documents', () => {
    const result = parseYamlDocuments('---\n# nothing here\n---\n---\na: 1\n');
    expect(result.ok && result.documents.map((d) => d.value)).toEqual([{ a: 1 }]);
  });

  it('reports a syntax error with the line in the whole file, not in the document', () => {
    const result = parseYamlDocuments('a: 1\n---\nb: 2\nc: [1\nd: 2\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.line).toBe(5);
      expect(result.message).toMatch(/^YAML syntax error/);
    }
  });

  it('keeps timestamps as strings (YAML 1.2 core schema, as Backstage reads it)', () => {
    const result = parseYamlDocuments('start: 2026-01-05T09:00\n');
    expect(result.ok && result.documents[0]?.value).toEqual({ start: '2026-01-05T09:00' });
  });

  it('honours the explicit document end marker', () => {
    const result = parseYamlDocuments('a: 1\n...\nb: 2\n');
    expect(result.ok && result.documents).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { b: 2 } },
    ]);
  });
});
