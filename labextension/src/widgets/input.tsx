/**
 * The panel's form controls: a labelled text input and a form that never reloads.
 */
import * as React from 'react';

/** A text input in the panel's style; `label` is what screen readers announce. */
export function TextInput(props: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  placeholder?: string;
  id?: string;
  className?: string;
  type?: 'text' | 'search';
  disabled?: boolean;
  list?: string;
}): JSX.Element {
  return (
    <input
      id={props.id}
      className={`jp-mlver-input${props.className ? ' ' + props.className : ''}`}
      type={props.type}
      list={props.list}
      placeholder={props.placeholder}
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

/** A form whose submit (Enter, or its submit button) calls `onSubmit`, nothing more. */
export function Form(props: {
  onSubmit: () => void;
  children: React.ReactNode;
  id?: string;
  className?: string;
}): JSX.Element {
  return (
    <form
      id={props.id}
      className={props.className ?? 'jp-mlver-inline-form'}
      onSubmit={e => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A labelled checkbox (the label after the box). */
export function CheckBox(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  id?: string;
  disabled?: boolean;
}): JSX.Element {
  return (
    <label className="jp-mlver-checkbox">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={e => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

/** A one-symbol button; `label` is its accessible name, `title` its tooltip. */
export function IconButton(props: {
  id: string;
  symbol: string;
  label: string;
  title: string;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      id={props.id}
      className="jp-mlver-button"
      type="button"
      title={props.title}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.symbol}
    </button>
  );
}
