/**
 * One viewport model for every scrolling screen: the keys move it and the drawing lays it out,
 * with the same height (the one last drawn), so `G` and PgDn reach the end wherever the header,
 * prompt or crumbs take room. With a cursor (lists) the view follows the cursor; without one
 * (describe, YAML, help) the view itself moves and stops at the last full page.
 */
export class Viewport {
  top = 0;
  cursor = 0;
  /** lines shown, as last drawn (keys page by it) */
  height = 20;
  /** lines in all, as last drawn */
  count = 0;

  constructor(readonly withCursor: boolean) {}

  private get maxTop(): number {
    return Math.max(0, this.count - this.height);
  }

  private settle(): void {
    if (this.withCursor) {
      this.cursor = Math.max(0, Math.min(this.cursor, this.count - 1));
      if (this.cursor < this.top) this.top = this.cursor;
      if (this.cursor >= this.top + this.height) this.top = this.cursor - this.height + 1;
    }
    this.top = Math.max(0, Math.min(this.top, this.maxTop));
  }

  /** At draw time: the real size; returns the range of lines to draw. */
  layout(count: number, height: number): { from: number; to: number } {
    this.count = count;
    this.height = Math.max(1, height);
    this.settle();
    return { from: this.top, to: Math.min(count, this.top + this.height) };
  }

  move(delta: number): void {
    if (this.withCursor) this.cursor += delta;
    else this.top += delta;
    this.settle();
  }

  down(): void {
    this.move(1);
  }

  up(): void {
    this.move(-1);
  }

  pageDown(): void {
    this.move(this.height);
  }

  pageUp(): void {
    this.move(-this.height);
  }

  home(): void {
    this.cursor = 0;
    this.top = 0;
  }

  end(): void {
    if (this.withCursor) this.cursor = Math.max(0, this.count - 1);
    this.top = this.maxTop;
    this.settle();
  }

  /** Put the cursor on a line (e.g. the skin in use), the view around it. */
  select(index: number): void {
    this.cursor = Math.max(0, index);
    this.settle();
  }

  /** True when the last line is in view. */
  atEnd(): boolean {
    return this.top >= this.maxTop;
  }
}
