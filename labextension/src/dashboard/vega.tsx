import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import * as React from 'react';

import { useClientSize } from '../hooks/size';
import { ExperimentsModel } from './model';

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
  const [hostRef, size, node] = useClientSize<HTMLDivElement>();
  // In 40-pixel steps, to redraw rarely while the area is resized.
  const width = Math.floor(size.width / 40) * 40;
  const light = useLightTheme();
  const [error, setError] = React.useState<string | null>(null);
  const available =
    !!rendermime && rendermime.mimeTypes.includes(VEGALITE_MIME);

  React.useEffect(() => {
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
  }, [rendermime, spec, light, available, width, node]);

  return (
    <div
      id={props.id}
      className={`jp-mlver-chart ${props.className ?? ''}`}
      data-points={spec?.data?.values?.length ?? 0}
      data-x={(spec?.encoding ?? spec?.layer?.[0]?.encoding)?.x?.field}
    >
      {!available && (
        <div className="jp-mlver-muted">
          Charts need JupyterLab's Vega-Lite renderer
          (@jupyterlab/vega5-extension), which is disabled.
        </div>
      )}
      {error && <div className="jp-mlver-error">{error}</div>}
      <div ref={hostRef} className="jp-mlver-chart-host" />
    </div>
  );
}

export interface IChartProps {
  model: ExperimentsModel;
  metric: string;
  rendermime: IRenderMimeRegistry | null;
}

/** The dashboard's one chart area (whichever chart is chosen). */
export function DashChart(props: {
  rendermime: IRenderMimeRegistry | null;
  spec: Record<string, any>;
}): JSX.Element {
  return (
    <VegaChart
      id="jp-mlver-dash-chart"
      rendermime={props.rendermime}
      spec={props.spec}
    />
  );
}
