import * as React from 'react';

import { addTag } from '../../api';
import { errorText } from '../../request';
import { ErrorLine } from '../section';
import { Form, TextInput } from '../input';

/** A record's tags and a form to add one (a tag is unique in the store). */
export function TagEditor(props: {
  id: string;
  tags: string[];
  onTagged: () => void;
}): JSX.Element {
  const [name, setName] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const submit = async (): Promise<void> => {
    if (!name.trim()) {
      return;
    }
    try {
      await addTag(props.id, name.trim());
      setName('');
      setError(null);
      props.onTagged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="jp-mlver-tags">
      {props.tags.map(tag => (
        <span key={tag} className="jp-mlver-tag" title={tag}>
          {tag}
        </span>
      ))}
      <Form onSubmit={() => void submit()}>
        <TextInput
          id="jp-mlver-tag-input"
          placeholder="new tag"
          label="New tag"
          value={name}
          onChange={setName}
        />
        <button
          id="jp-mlver-tag-button"
          className="jp-mlver-button"
          type="submit"
          disabled={!name.trim()}
        >
          Tag
        </button>
      </Form>
      <ErrorLine error={error} />
    </div>
  );
}
