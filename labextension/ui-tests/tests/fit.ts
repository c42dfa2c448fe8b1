/**
 * What "fits its width" means, checked in the page: no word is broken across lines, and
 * text that does not fit is cut with an ellipsis and has its whole text in a tooltip.
 */
import { Locator } from '@playwright/test';

export interface IFitProblems {
  /** Words whose letters sit on more than one line. */
  broken: string[];
  /** Text cut at the edge of its box without an ellipsis, or with no tooltip. */
  cut: string[];
  /** Views that scroll sideways (they should fit instead). */
  sideways: string[];
}

/**
 * Every visible text under `root`: for each word (a run of non-space characters in one
 * text node), the line boxes its characters lie on must be one; for each element whose
 * text overflows its box or a clipping ancestor, the overflow must end in an ellipsis on
 * that element, and the element (or an ancestor) must carry a title.
 */
export function fitProblems(root: Locator): Promise<IFitProblems> {
  return root.evaluate((top: Element) => {
    const broken: string[] = [];
    const cut: string[] = [];
    const range = document.createRange();
    const scrolls = (el: Element): boolean =>
      /(auto|scroll)/.test(getComputedStyle(el).overflowX);
    const clips = (el: Element): boolean =>
      getComputedStyle(el).overflowX !== 'visible';
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      const text = (node as Text).data;
      if (!el || !text.trim() || el.closest('pre, svg, textarea, option')) {
        continue;
      }
      if (el.getClientRects().length === 0) {
        continue; // not rendered (a closed section, a hidden view)
      }
      for (const m of text.matchAll(/\S+/g)) {
        range.setStart(node, m.index!);
        range.setEnd(node, m.index! + m[0].length);
        const tops = new Set(
          Array.from(range.getClientRects())
            .filter(r => r.width > 0 && r.height > 0)
            .map(r => Math.round(r.top + r.height / 2))
        );
        if (tops.size > 1) {
          broken.push(m[0]);
        }
      }
      if (seen.has(el)) {
        continue;
      }
      seen.add(el);
      range.selectNodeContents(el);
      const right = Math.max(
        ...Array.from(range.getClientRects()).map(r => r.right)
      );
      // Each ancestor that clips (up to the root; a scrolling one shows the rest):
      // only the nearest may cut the text, and only with an ellipsis and a tooltip.
      let visible = right;
      let nearest = true;
      for (
        let box: Element | null = el;
        box && box !== top.parentElement && !scrolls(box);
        box = box.parentElement
      ) {
        if (!clips(box)) {
          continue;
        }
        const edge = box.getBoundingClientRect().right;
        if (visible > edge + 1) {
          const ellipsis = getComputedStyle(box).textOverflow === 'ellipsis';
          const titled = !!el.closest('[title]')?.getAttribute('title');
          if (!nearest || !ellipsis || !titled) {
            cut.push(
              `${el.tagName.toLowerCase()}.${el.className}: ${text.trim().slice(0, 40)}` +
                (!nearest
                  ? ' (cut by an outer box)'
                  : ellipsis
                    ? ' (no title)'
                    : ' (no ellipsis)')
            );
            break;
          }
        }
        visible = Math.min(visible, edge);
        nearest = false;
      }
    }
    // Nothing scrolls sideways but what is meant to (wide tables, code).
    const sideways = Array.from(top.querySelectorAll('*'))
      .filter(
        e =>
          scrolls(e) &&
          e.scrollWidth > e.clientWidth + 1 &&
          !e.closest('pre, .jp-mlver-scroll-x')
      )
      .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
    return { broken, cut, sideways };
  });
}
