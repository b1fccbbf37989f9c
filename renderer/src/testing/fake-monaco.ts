// Monaco needs a real browser: in specs a textarea with the same props and events stands in for MonacoEditor.vue
// (`global: { stubs: { MonacoEditor: FakeMonaco } }`). Monaco itself is covered by the Chromium tests (tests/gui/).
import { defineComponent, h } from 'vue';

/** The stand-in: `value-editor` (or `diff-editor` with `data-original`) holding the draft. */
export const FakeMonaco = defineComponent({
  props: { modelValue: { type: String, required: true }, language: String, readOnly: Boolean, original: String, label: String },
  emits: ['update:modelValue', 'save'],
  setup(props, { emit, expose }) {
    expose({ revealPosition: () => undefined });
    return () => h('textarea', {
      'data-testid': props.original === undefined ? 'value-editor' : 'diff-editor',
      'data-original': props.original,
      readonly: props.readOnly,
      value: props.modelValue,
      onInput: (event: Event) => emit('update:modelValue', (event.target as HTMLTextAreaElement).value),
    });
  },
});
