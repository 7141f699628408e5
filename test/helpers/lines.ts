/**
 * A screen's drawing as plain text, without Ink: each element a screen's render() returns is
 * one line; its text is every string in it, children in order (a frame's body line is a Box
 * row of three Texts: border, content, border). Colors and styles are dropped.
 */
import React from 'react';

/** The text of one element (or string, number, array, fragment). */
export function textOf(node: React.ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'bigint') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (React.isValidElement(node)) return textOf((node.props as { children?: React.ReactNode }).children);
  // an iterable of children (rare): walk it too
  if (typeof (node as Iterable<React.ReactNode>)[Symbol.iterator] === 'function') return [...(node as Iterable<React.ReactNode>)].map(textOf).join('');
  return '';
}

/** One plain line per element. */
export function linesOf(elements: readonly React.ReactNode[]): string[] {
  return elements.map(textOf);
}

/** The lines between a frame's side borders: its body, without the borders. */
export function bodyOf(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith('│') && l.endsWith('│')).map((l) => l.slice(1, -1));
}

/** The title drawn in a frame's top border, e.g. "pods(all)[29]". */
export function titleOf(lines: readonly string[]): string {
  const top = lines.find((l) => l.startsWith('┌')) ?? '';
  return top.replace(/^┌─*\s?/, '').replace(/\s?─*┐$/, '');
}

/** How a line's content is drawn: its text and the props of the element that draws it. */
export interface Styled {
  text: string;
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  inverse?: boolean;
  /** the pieces of a line drawn in several colors (the column header), in order */
  parts: Styled[];
}

export function styledOf(node: React.ReactElement): Styled {
  const p = node.props as { children?: React.ReactNode; color?: string; backgroundColor?: string; bold?: boolean; inverse?: boolean };
  const kids = React.Children.toArray(p.children).filter(React.isValidElement) as React.ReactElement[];
  return { text: textOf(node), color: p.color, backgroundColor: p.backgroundColor, bold: p.bold, inverse: p.inverse, parts: kids.map(styledOf) };
}

/** The content of each body line of a frame (between its side borders), with its colors. */
export function styledBodyOf(elements: readonly React.ReactNode[]): Styled[] {
  const out: Styled[] = [];
  for (const el of elements) {
    if (!React.isValidElement(el)) continue;
    const kids = React.Children.toArray((el.props as { children?: React.ReactNode }).children);
    // a body line: border | content | border
    if (kids.length === 3 && textOf(kids[0]) === '│' && textOf(kids[2]) === '│' && React.isValidElement(kids[1])) out.push(styledOf(kids[1] as React.ReactElement));
  }
  return out;
}
