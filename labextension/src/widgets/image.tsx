import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

import { IImageRecord } from '../api';
import { formatTime } from './format';

/** What to pull: the first tag, else a digest, else the local image id. */
export function imageRef(image: IImageRecord): string {
  return image.tags[0] ?? image.repo_digests[0] ?? image.image_id;
}

/**
 * An image (an environment's, or a model version's serving image) with its reference to
 * copy and how it was made.
 */
export function ImageCard(props: {
  image: IImageRecord;
  /** A word before the facts, e.g. "serving image". */
  label?: string;
  /** Extra class names and attributes of the card. */
  className?: string;
  copyTitle: string;
  showTags?: boolean;
}): JSX.Element {
  const { image } = props;
  const ref = imageRef(image);
  const facts = [
    ...(props.label ? [props.label] : []),
    image.reused ? 'reused' : `built in ${image.build_seconds?.toFixed(0)} s`,
    formatTime(image.created),
    ...(props.showTags ? [`${image.tags.length} tag(s)`] : [])
  ];
  return (
    <div
      className={`jp-mlver-image ${props.className ?? ''}`}
      data-image-id={image.image_id}
    >
      <code className="jp-mlver-image-ref jp-mlver-ellipsis" title={ref}>
        {ref}
      </code>
      <button
        className="jp-mlver-button jp-mlver-copy-ref"
        title={props.copyTitle}
        onClick={() => Clipboard.copyToSystem(ref)}
      >
        Copy
      </button>
      <div className="jp-mlver-muted">{facts.join(' · ')}</div>
    </div>
  );
}
