import * as React from 'react';

/**
 * An element's client width and height, kept current by a ResizeObserver. Pass the
 * returned callback as the element's `ref` (it follows the element if React replaces it).
 */
export function useClientSize<E extends HTMLElement>(
  initial = { width: 0, height: 0 }
): [(node: E | null) => void, { width: number; height: number }, E | null] {
  const [node, setNode] = React.useState<E | null>(null);
  const [size, setSize] = React.useState(initial);
  React.useEffect(() => {
    if (!node) {
      return;
    }
    const measure = (): void =>
      setSize(old =>
        old.width === node.clientWidth && old.height === node.clientHeight
          ? old
          : { width: node.clientWidth, height: node.clientHeight }
      );
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    measure();
    return () => observer.disconnect();
  }, [node]);
  return [setNode, size, node];
}
