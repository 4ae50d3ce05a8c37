/**
 * The Advanced panel's fields, read off the one declaration of the training settings
 * (shared/settings/training.ts): every setting with a panel label, in declared order, with the
 * value it takes when left empty (the preset's, or the declared default) as its placeholder.
 */
import { defaultOf, type PresetName } from '@shared/settings/presets';
import { STAGE_SETTINGS, rangeOf, rangeText, type Settings, type Stage } from '@shared/settings/training';

export interface SettingField {
  key: string;
  label: string;
  /** Said after the label: a condition the value depends on. */
  note?: string;
  /** The setting's one-line description and its range (the field's tooltip). */
  title: string;
  integer: boolean;
  /** What an empty field means. */
  placeholder: string;
  /** A choice: value → how the panel names it. */
  choices?: Record<string, string>;
}

export function settingFields(stage: Stage, preset: PresetName): SettingField[] {
  return Object.entries(STAGE_SETTINGS[stage] as Settings).flatMap(([key, s]) => {
    if (!s.label) return [];
    const unset = defaultOf(stage, key, preset);
    return [
      {
        key,
        label: s.label,
        ...(s.note ? { note: s.note } : {}),
        title: `${s.help} (${rangeText(s)})`,
        integer: rangeOf(s).integer,
        placeholder: s.choices ? `preset (${s.choices[String(unset)] ?? String(unset)})` : String(unset ?? ''),
        ...(s.choices ? { choices: s.choices } : {}),
      },
    ];
  });
}
