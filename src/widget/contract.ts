/**
 * What the loader (widget.js) hands the panel chunk it imports on open. Types only, so
 * the two builds share no code at run time and the loader stays small.
 */
import type { HearthWidgetEngine, HearthWidgetLang, HearthWidgetMessage } from './hearth-widget';

export interface PanelConfig {
  /** Where Hearth serves the widget: "https://hearth.example/" (always ends in "/"). */
  base: string;
  key: string;
  model: string;
  lang: HearthWidgetLang;
  placeholder: string;
  system: string;
  title: string;
  engine: HearthWidgetEngine;
  /** localStorage key of this page's conversation. */
  storageKey: string;
}

export interface PanelHost {
  shadow: ShadowRoot;
  /** The element the panel fills. */
  container: HTMLElement;
  /** Floating panels offer a close button; inline ones do not. */
  close?: () => void;
  onMessage(message: HearthWidgetMessage): void;
}

export interface PanelHandle {
  focus(): void;
  destroy(): void;
}

export type MountPanel = (host: PanelHost, config: PanelConfig) => PanelHandle;
