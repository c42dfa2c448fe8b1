import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import * as React from 'react';

/** JupyterLab renders this MIME type with its own Vega-Lite extension. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** `false` in a dark theme, so the chart is drawn again when the theme changes. */
function useLightTheme(): boolean {
  const read = (): boolean => document.body.dataset.jpThemeLight !== 'false';
  const [light, setLight] = React.useState(read);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setLight(read()));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);
  return light;
}

/** The element's width, updated (in 40-pixel steps, to redraw rarely) as it resizes. */
function useWidth(ref: React.RefObject<HTMLElement>): number {
  const [width, setWidth] = React.useState(0);
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const measure = (): void =>
      setWidth(Math.floor(node.clientWidth / 40) * 40);
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * A Vega-Lite spec drawn by JupyterLab's renderer (no charting library bundled here).
 */
export function VegaChart(props: {
  rendermime: IRenderMimeRegistry | null;
  spec: Record<string, any>;
  id?: string;
  className?: string;
}): JSX.Element {
  const { rendermime, spec } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const light = useLightTheme();
  const width = useWidth(host);
  const [error, setError] = React.useState<string | null>(null);
  const available =
    !!rendermime && rendermime.mimeTypes.includes(VEGALITE_MIME);

  React.useEffect(() => {
    const node = host.current;
    if (!available || !rendermime || !node || width <= 0) {
      return;
    }
    const renderer = rendermime.createRenderer(VEGALITE_MIME);
    // Not Widget.attach: React may remove the host before this effect's cleanup runs,
    // and detaching a widget whose node left the document throws.
    node.appendChild(renderer.node);
    setError(null);
    // A width in pixels: the renderer's node does not give "container" a width to fit.
    const sized = { ...spec, width: Math.max(160, width - 8) };
    renderer
      .renderModel(new MimeModel({ data: { [VEGALITE_MIME]: sized } }))
      .catch(e => setError(String(e)));
    return () => {
      renderer.dispose();
      renderer.node.remove();
    };
  }, [rendermime, spec, light, available, width]);

  return (
    <div
      id={props.id}
      className={`jp-mlver-chart ${props.className ?? ''}`}
      data-points={spec?.data?.values?.length ?? 0}
    >
      {!available && (
        <div className="jp-mlver-muted">
          Charts need JupyterLab's Vega-Lite renderer
          (@jupyterlab/vega5-extension), which is disabled.
        </div>
      )}
      {error && <div className="jp-mlver-error">{error}</div>}
      <div ref={host} className="jp-mlver-chart-host" />
    </div>
  );
}
