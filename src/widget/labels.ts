/** The widget's words in English and Simplified Chinese (from `lang`, the page or the browser). */
import type { HearthWidgetLang } from './hearth-widget';

const en = {
  launcher: 'Chat with the assistant',
  title: 'Assistant',
  placeholder: 'Ask a question…',
  send: 'Send',
  stop: 'Stop',
  newChat: 'New chat',
  close: 'Close',
  copy: 'Copy',
  copied: 'Copied',
  you: 'You',
  assistant: 'Assistant',
  loading: 'Loading…',
  empty: 'Ask anything. Answers come from a private model on your organisation’s server.',
  stopped: '(stopped)',
  unreachable: 'The assistant’s server cannot be reached. Try again later.',
  revoked: 'This assistant has been switched off by an administrator (its widget key was revoked).',
  unknown: 'This assistant is not set up correctly: the server does not know its widget key.',
  origin:
    'This page is not allowed to use the assistant. An administrator must add this site to the widget key.',
  off: 'The assistant’s server does not accept widget keys (sign-in is off there).',
  signin: 'Sign in to your organisation’s Hearth portal to use this assistant, then come back.',
  signInLink: 'Sign in',
  rateLimited: 'Too many questions in a short time. Wait a moment, then try again.',
  failed: 'The assistant could not answer:',
  loadFailed: 'The chat could not be loaded from the assistant’s server.'
};

export type Labels = typeof en;

const zhCN: Labels = {
  launcher: '与助手对话',
  title: '助手',
  placeholder: '请输入问题…',
  send: '发送',
  stop: '停止',
  newChat: '新对话',
  close: '关闭',
  copy: '复制',
  copied: '已复制',
  you: '你',
  assistant: '助手',
  loading: '加载中…',
  empty: '尽管提问。回答来自贵单位服务器上的私有模型。',
  stopped: '（已停止）',
  unreachable: '无法连接助手的服务器，请稍后再试。',
  revoked: '管理员已停用此助手（其小组件密钥已被吊销）。',
  unknown: '此助手配置有误：服务器不认识它的小组件密钥。',
  origin: '此页面无权使用助手。请管理员把本站点加入小组件密钥。',
  off: '助手的服务器不接受小组件密钥（该服务器未开启登录）。',
  signin: '请先登录贵单位的 Hearth 门户，再回来使用此助手。',
  signInLink: '登录',
  rateLimited: '短时间内提问过多，请稍候再试。',
  failed: '助手无法回答：',
  loadFailed: '无法从助手的服务器加载聊天界面。'
};

export function pickLang(requested: string | null | undefined): HearthWidgetLang {
  const tag = requested || document.documentElement.lang || navigator.language || 'en';
  return tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function labelsFor(lang: HearthWidgetLang): Labels {
  return lang === 'zh-CN' ? zhCN : en;
}
