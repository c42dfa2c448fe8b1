import { LabIcon } from '@jupyterlab/ui-components';

import mlverSvgStr from '../style/icons/mlver.svg';

/**
 * The sidebar icon of the ML Versions panel: three stacked layers, one per version.
 */
export const mlverIcon = new LabIcon({
  name: 'jupyter_mlver:mlver',
  svgstr: mlverSvgStr
});
