import * as React from 'react';

import { IImageRecord, startImageBuild } from '../../api';
import { useJob } from '../../hooks/job';
import { ImageCard } from '../image';
import { JobStatus } from '../job';
import { ErrorLine, Section } from '../section';
import { Form, TextInput } from '../input';

/** A snapshot's environment images, and a form to build one (a server job). */
export function ImagesSection(props: {
  snapshot: string;
  images: IImageRecord[];
  onBuilt: () => void;
}): JSX.Element {
  const [tag, setTag] = React.useState('');
  const build = useJob(job => {
    if (job.state === 'succeeded') {
      props.onBuilt();
    }
  });
  const job = build.job;
  const progress = job
    ? (job.phase ? ` · ${job.phase}` : '') +
      (job.step && job.total ? ` · step ${job.step}/${job.total}` : '') +
      (job.message ? ` · ${job.message}` : '')
    : '';
  return (
    <Section title={`Images (${props.images.length})`} open>
      {props.images.map(image => (
        <ImageCard
          key={image.id}
          image={image}
          copyTitle="Copy the image reference"
          showTags
        />
      ))}
      <Form
        onSubmit={() =>
          void build.start(() =>
            startImageBuild({
              snapshot: props.snapshot,
              tag: tag.trim() || undefined
            })
          )
        }
      >
        <TextInput
          placeholder="version tag (optional)"
          label="Image version tag"
          value={tag}
          onChange={setTag}
        />
        <button
          id="jp-mlver-build-button"
          className="jp-mlver-button"
          type="submit"
          disabled={build.running}
        >
          Build image
        </button>
      </Form>
      {job && <JobStatus id="jp-mlver-job" job={job} progress={progress} log />}
      <ErrorLine error={build.error} />
    </Section>
  );
}
